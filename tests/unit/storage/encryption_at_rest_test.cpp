// Encryption at rest: the master key file, per-owner data keys, rotation, and crypto-shredding
// that leaves no trace of the data or its key in the data folder's files, WAL included.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <msgpack.hpp>
#include <rocksdb/db.h>

#include "storage/aes_gcm.hpp"
#include "storage/data_key_ring.hpp"
#include "storage/database.hpp"
#include "storage/encryption_at_rest.hpp"
#include "storage/key_codec.hpp"
#include "storage/master_key.hpp"
#include "storage/sealed_value.hpp"
#include "temp_dir.hpp"

using namespace parley;

namespace {

struct note {
  uint64_t id = 0;
  std::string text;
  MSGPACK_DEFINE_MAP(id, text)
};

/// Whether any file under `dir` contains `needle`.
bool found_in_files(const std::string& dir, const std::string& needle) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file())
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (content.find(needle) != std::string::npos)
      return true;
  }
  return false;
}

std::string master_key_in(const std::string& dir) {
  std::string key;
  REQUIRE(storage::load_master_key(dir + "/master.key", key).empty());
  return key;
}

} // namespace

TEST_CASE("the master key file is made 0600 once and refused when others may read it", "[storage][crypto]") {
  test::temp_dir dir;
  const auto path = dir.path() + "/keys/master.key";
  std::string first, again;
  REQUIRE(storage::load_master_key(path, first).empty());
  CHECK(first.size() == storage::master_key_size);
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(storage::load_master_key(path, again).empty());
  CHECK(again == first);

  ::chmod(path.c_str(), 0644);
  std::string refused;
  auto error = storage::load_master_key(path, refused);
  CHECK(error.find("chmod 600") != std::string::npos);
  ::chmod(path.c_str(), 0600);
  std::ofstream(path, std::ios::app) << "x";
  CHECK(storage::load_master_key(path, refused).find("32 bytes") != std::string::npos);
}

TEST_CASE("sealed values open after key rotation and not after tampering", "[storage][crypto]") {
  test::temp_dir dir;
  std::string error;
  auto db = storage::database::open(dir.path() + "/data", error);
  REQUIRE(db);
  storage::data_key_ring ring{db, master_key_in(dir.path())};
  auto old_bytes = storage::encode_sealed_value(ring, 7, note{1, "before rotation"});
  CHECK(old_bytes.find("before rotation") == std::string::npos);
  CHECK(storage::data_key_ring::owner_of(old_bytes) == 7);
  CHECK(ring.current_version(7) == 1);
  CHECK(ring.rotate(7) == 2);
  auto new_bytes = storage::encode_sealed_value(ring, 7, note{2, "after rotation"});
  CHECK(storage::decode_sealed_value<note>(ring, old_bytes)->text == "before rotation");
  CHECK(storage::decode_sealed_value<note>(ring, new_bytes)->text == "after rotation");
  // Plain values written before encryption still read.
  CHECK(storage::decode_sealed_value<note>(ring, storage::encode_value(note{3, "plain"}))->text == "plain");
  auto tampered = new_bytes;
  tampered[tampered.size() / 2] ^= 1;
  CHECK_FALSE(storage::decode_sealed_value<note>(ring, tampered));

  // A fresh ring (a restarted node) unwraps the stored keys with the same master key.
  storage::data_key_ring restarted{db, master_key_in(dir.path())};
  CHECK(storage::decode_sealed_value<note>(restarted, old_bytes)->text == "before rotation");
  // With another master key nothing opens.
  storage::data_key_ring wrong{db, std::string(32, 'x')};
  CHECK_FALSE(storage::decode_sealed_value<note>(wrong, old_bytes));
}

TEST_CASE("crypto-shredding: after deletion and compaction neither data nor key is in any file", "[storage][crypto]") {
  test::temp_dir dir;
  const auto data_dir = dir.path() + "/data";
  const std::string marker = "MARKER-7f3a9c-shred-me";
  std::string error;
  auto db = storage::database::open(data_dir, error);
  REQUIRE(db);
  storage::data_key_ring ring{db, master_key_in(dir.path())};
  constexpr uint64_t owner = 0x5eed;
  const auto record_key = std::string{"chat-1"};
  auto sealed = storage::encode_sealed_value(ring, owner, note{1, marker});
  storage::write_set writes;
  writes.put(storage::column_family::messages, record_key, sealed);
  // A plain record of the same owner (like a profile) carries the marker too.
  writes.put(storage::column_family::accounts, "profile", storage::encode_value(note{1, marker}));
  REQUIRE(db->write_synced(writes).ok());
  REQUIRE(db->flush().ok());
  const auto wrapped_key = db->get(storage::column_family::keys, storage::key_builder{}.u8('k').u64(owner).u32(1).str());
  REQUIRE(wrapped_key);
  CHECK(found_in_files(data_dir, marker)); // the plain record is on disk
  CHECK_FALSE(found_in_files(data_dir, marker.substr(0, 12) + "X")); // sanity of the scan

  // Delete: the key first, then the records; then compact and flush the WAL.
  REQUIRE(ring.destroy(owner).ok());
  storage::write_set erase;
  erase.erase(storage::column_family::messages, record_key);
  erase.erase(storage::column_family::accounts, "profile");
  REQUIRE(db->write_synced(erase).ok());
  REQUIRE(db->flush().ok());
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto cf : {storage::column_family::messages, storage::column_family::accounts, storage::column_family::keys})
    REQUIRE(db->raw().CompactRange(compact, db->handle(cf), nullptr, nullptr).ok());
  REQUIRE(db->raw().FlushWAL(true).ok());

  CHECK_FALSE(found_in_files(data_dir, marker));
  CHECK_FALSE(found_in_files(data_dir, *wrapped_key)); // the wrapped key is gone from every file
  CHECK_FALSE(ring.open(sealed));                      // a copy of the ciphertext is useless now
  storage::data_key_ring restarted{db, master_key_in(dir.path())};
  CHECK_FALSE(restarted.open(sealed));
}

TEST_CASE("a database with encryption on seals put_sealed values at commit and reads both kinds", "[storage][crypto]") {
  test::temp_dir dir;
  const auto data_dir = dir.path() + "/data";
  const auto key_file = dir.path() + "/keys/master.key";
  const std::string marker = "MARKER-commit-sealed-51c0";
  std::string error;
  {
    auto db = storage::database::open(data_dir, error);
    REQUIRE(db);
    // Written before encryption existed: stays readable afterwards.
    storage::write_set old;
    old.put_sealed(storage::column_family::messages, "old", 9, storage::encode_value(note{1, "plain before"}));
    REQUIRE(db->write_synced(old).ok());
    CHECK_FALSE(storage::data_key_ring::is_sealed(*db->get(storage::column_family::messages, "old")));

    REQUIRE(storage::enable_encryption_at_rest(*db, key_file).empty());
    storage::write_set writes;
    writes.put_sealed(storage::column_family::messages, "new", 9, storage::encode_value(note{2, marker}));
    writes.put_sealed(storage::column_family::messages, "unowned", 0, storage::encode_value(note{3, "no owner"}));
    REQUIRE(db->write_synced(writes).ok());
    auto stored = db->get(storage::column_family::messages, "new");
    REQUIRE(stored);
    CHECK(storage::data_key_ring::owner_of(*stored) == 9);
    CHECK(storage::decode_stored<note>(*db, *stored)->text == marker);
    CHECK(storage::decode_stored<note>(*db, *db->get(storage::column_family::messages, "old"))->text == "plain before");
    CHECK(storage::decode_stored<note>(*db, *db->get(storage::column_family::messages, "unowned"))->text == "no owner");
    REQUIRE(db->compact_all().ok());
    CHECK_FALSE(found_in_files(data_dir, marker));
    CHECK(found_in_files(data_dir, "plain before")); // not migrated: rewritten records get sealed
  }
  // Without the key a sealed value is unreadable, never misread.
  {
    auto db = storage::database::open(data_dir, error);
    REQUIRE(db);
    CHECK_FALSE(storage::decode_stored<note>(*db, *db->get(storage::column_family::messages, "new")));
    // The key check refuses another key, and a missing key file is not silently recreated.
    std::filesystem::rename(key_file, key_file + ".saved");
    CHECK(storage::enable_encryption_at_rest(*db, key_file).find("is missing") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(key_file));
    std::string other;
    REQUIRE(storage::load_master_key(key_file, other).empty()); // a fresh, different key
    CHECK(storage::enable_encryption_at_rest(*db, key_file).find("is not the key") != std::string::npos);
    CHECK_FALSE(db->key_ring());
    std::filesystem::remove(key_file);
    std::filesystem::rename(key_file + ".saved", key_file);
    REQUIRE(storage::enable_encryption_at_rest(*db, key_file).empty());
    CHECK(storage::decode_stored<note>(*db, *db->get(storage::column_family::messages, "new"))->text == marker);
  }
}

TEST_CASE("a destroyed owner never gets a key again: later writes for them are dropped, even after a restart",
          "[storage][crypto]") {
  test::temp_dir dir;
  const auto data_dir = dir.path() + "/data";
  const auto key_file = dir.path() + "/keys/master.key";
  constexpr uint64_t deleted = 0xde1e7ed, other = 0x07e4;
  std::string error;
  {
    auto db = storage::database::open(data_dir, error);
    REQUIRE(db);
    REQUIRE(storage::enable_encryption_at_rest(*db, key_file).empty());
    storage::write_set first;
    first.put_sealed(storage::column_family::messages, "before", deleted, storage::encode_value(note{1, "before"}));
    REQUIRE(db->write_synced(first).ok());
    REQUIRE(db->key_ring()->destroy(deleted).ok());
    CHECK(db->key_ring()->destroyed(deleted));
    CHECK(db->key_ring()->rotate(deleted) == 0);
    // A write that was in flight for the deleted user lands after the destruction: dropped, while
    // the rest of the same group commit is stored.
    storage::write_set late;
    late.put_sealed(storage::column_family::messages, "late", deleted, storage::encode_value(note{2, "late"}));
    late.put_sealed(storage::column_family::messages, "neighbour", other, storage::encode_value(note{3, "kept"}));
    REQUIRE(db->write_synced(late).ok());
    CHECK_FALSE(db->get(storage::column_family::messages, "late"));
    auto kept = db->get(storage::column_family::messages, "neighbour");
    REQUIRE(kept);
    CHECK(storage::decode_stored<note>(*db, *kept)->text == "kept");
    CHECK(db->key_ring()->current_version(deleted) == 0);
  }
  auto db = storage::database::open(data_dir, error);
  REQUIRE(db);
  REQUIRE(storage::enable_encryption_at_rest(*db, key_file).empty());
  CHECK(db->key_ring()->destroyed(deleted));
  storage::write_set after_restart;
  after_restart.put_sealed(storage::column_family::messages, "after", deleted, storage::encode_value(note{4, "after"}));
  REQUIRE(db->write_synced(after_restart).ok());
  CHECK_FALSE(db->get(storage::column_family::messages, "after"));
}

TEST_CASE("one thread seals and opens under many keys in turn, and a refused value leaves the next one intact",
          "[storage][crypto]") {
  const std::string first_key(storage::aes_key_size, 'a');
  const std::string second_key(storage::aes_key_size, 'b');
  auto roundtrips = [&] {
    for (int i = 0; i < 200; ++i) {
      const auto& key = i % 2 ? first_key : second_key;
      const std::string text = "record " + std::to_string(i) + std::string(static_cast<size_t>(i), 'x');
      const std::string aad = "row " + std::to_string(i);
      auto sealed = storage::aes_gcm_seal(key, text, aad);
      CHECK(sealed.find(text) == std::string::npos);
      // Tampered, wrong key, wrong row: refused, and the context is fine for the next call.
      auto tampered = sealed;
      tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 1);
      CHECK_FALSE(storage::aes_gcm_open(key, tampered, aad));
      CHECK_FALSE(storage::aes_gcm_open(i % 2 ? second_key : first_key, sealed, aad));
      CHECK_FALSE(storage::aes_gcm_open(key, sealed, aad + "!"));
      auto opened = storage::aes_gcm_open(key, sealed, aad);
      REQUIRE(opened);
      CHECK(*opened == text);
    }
  };
  roundtrips();
  std::thread other{roundtrips}; // each thread has its own context
  other.join();
}
