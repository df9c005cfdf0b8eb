// Keys family: 'k'|owner|version → nonce|wrapped key|tag (AES-256-GCM under the master key),
// 'v'|owner → current version. Sealed values: magic "\0PE1" | owner | version | nonce | data | tag.
#include "storage/data_key_ring.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/rand.h>
#include <rocksdb/db.h>

#include "storage/aes_gcm.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "telemetry/logger.hpp"

namespace parley::storage {

namespace {

constexpr std::string_view magic{"\0PE1", 4};
constexpr size_t header_size = 4 + 8 + 4;

std::string key_key(uint64_t owner, uint32_t version) {
  return key_builder{}.u8('k').u64(owner).u32(version).str();
}
std::string version_key(uint64_t owner) {
  return key_builder{}.u8('v').u64(owner).str();
}
/// Kept for good after a destruction, so the owner can never get a key again.
std::string shredded_key(uint64_t owner) {
  return key_builder{}.u8('x').u64(owner).str();
}
std::string header(uint64_t owner, uint32_t version) {
  return key_builder{}.bytes(magic).u64(owner).u32(version).str();
}

} // namespace

data_key_ring::data_key_ring(std::shared_ptr<database> db, std::string master_key)
  : owned_db_(std::move(db)), db_(owned_db_.get()), master_key_(std::move(master_key)) {
}

data_key_ring::data_key_ring(database& db, std::string master_key) : db_(&db), master_key_(std::move(master_key)) {
}

bool data_key_ring::is_sealed(std::string_view bytes) noexcept {
  return bytes.size() >= header_size + gcm_nonce_size + gcm_tag_size && bytes.substr(0, 4) == magic;
}

uint64_t data_key_ring::owner_of(std::string_view bytes) noexcept {
  return is_sealed(bytes) ? read_u64(bytes, 4).value_or(0) : 0;
}

uint32_t data_key_ring::current_locked(uint64_t owner) {
  if (auto it = current_.find(owner); it != current_.end())
    return it->second;
  auto stored = db_->get(column_family::keys, version_key(owner));
  uint32_t version = stored ? read_u32(*stored).value_or(0) : 0;
  if (version)
    current_[owner] = version;
  return version;
}

bool data_key_ring::destroyed_locked(uint64_t owner) {
  if (destroyed_.count(owner))
    return true;
  if (!db_->get(column_family::keys, shredded_key(owner)))
    return false;
  destroyed_.insert(owner);
  return true;
}

bool data_key_ring::destroyed(uint64_t owner) {
  std::lock_guard lock{mutex_};
  return destroyed_locked(owner);
}

uint32_t data_key_ring::current_version(uint64_t owner) {
  std::lock_guard lock{mutex_};
  return current_locked(owner);
}

uint32_t data_key_ring::create_version_locked(uint64_t owner, uint32_t version) {
  std::string fresh(aes_key_size, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(fresh.data()), static_cast<int>(fresh.size())) != 1)
    return 0;
  write_set writes;
  writes.put(column_family::keys, key_key(owner, version), aes_gcm_seal(master_key_, fresh, key_key(owner, version)));
  writes.put(column_family::keys, version_key(owner), key_builder{}.u32(version).str());
  if (!db_->write_synced(writes).ok())
    return 0;
  keys_[{owner, version}] = std::move(fresh);
  current_[owner] = version;
  return version;
}

std::optional<std::string> data_key_ring::key(uint64_t owner, uint32_t version) {
  if (auto it = keys_.find({owner, version}); it != keys_.end())
    return it->second;
  auto wrapped = db_->get(column_family::keys, key_key(owner, version));
  if (!wrapped)
    return std::nullopt;
  auto unwrapped = aes_gcm_open(master_key_, *wrapped, key_key(owner, version));
  if (unwrapped)
    keys_[{owner, version}] = *unwrapped;
  return unwrapped;
}

std::string data_key_ring::seal(uint64_t owner, std::string_view plaintext) {
  std::lock_guard lock{mutex_};
  auto version = current_locked(owner);
  if (!version) {
    if (destroyed_locked(owner))
      throw owner_shredded(owner);
    version = create_version_locked(owner, 1);
  }
  auto k = version ? key(owner, version) : std::nullopt;
  if (!k)
    throw std::runtime_error("no data key could be made for an owner");
  auto head = header(owner, version);
  return head + aes_gcm_seal(*k, plaintext, head);
}

std::optional<std::string> data_key_ring::open(std::string_view sealed) {
  if (!is_sealed(sealed))
    return std::nullopt;
  auto owner = read_u64(sealed, 4).value_or(0);
  auto version = read_u32(sealed, 12).value_or(0);
  std::lock_guard lock{mutex_};
  auto k = key(owner, version);
  if (!k)
    return std::nullopt;
  return aes_gcm_open(*k, sealed.substr(header_size), sealed.substr(0, header_size));
}

uint32_t data_key_ring::rotate(uint64_t owner) {
  std::lock_guard lock{mutex_};
  if (destroyed_locked(owner))
    return 0;
  return create_version_locked(owner, current_locked(owner) + 1);
}

rocksdb::Status data_key_ring::destroy(uint64_t owner) {
  {
    std::lock_guard lock{mutex_};
    write_set writes;
    const auto last = current_locked(owner);
    for (uint32_t v = 1; v <= last; ++v)
      writes.erase(column_family::keys, key_key(owner, v));
    writes.erase(column_family::keys, version_key(owner));
    writes.put(column_family::keys, shredded_key(owner), std::string{});
    auto status = db_->write_synced(writes);
    if (!status.ok())
      return status;
    for (uint32_t v = 1; v <= last; ++v)
      keys_.erase({owner, v});
    current_.erase(owner);
    destroyed_.insert(owner);
  }
  // Deleted keys linger in memtables, SST files and the WAL until compacted: push them out. A
  // WAL file is dropped only once every family with data in it is flushed, so flush them all.
  // The ring's lock is not held: seals and opens for other owners go on meanwhile.
  auto status = db_->flush();
  if (status.ok()) {
    rocksdb::CompactRangeOptions compact;
    compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    status = db_->raw().CompactRange(compact, db_->handle(column_family::keys), nullptr, nullptr);
  }
  if (!status.ok())
    telemetry::logger("storage")->error("a destroyed data key is erased but not yet compacted away: {}",
                                        status.ToString());
  return rocksdb::Status::OK();
}

} // namespace parley::storage
