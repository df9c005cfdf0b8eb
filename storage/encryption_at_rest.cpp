// The master key check: 'c' in the keys family holds a known text sealed under the master key.
#include "storage/encryption_at_rest.hpp"

#include <filesystem>
#include <memory>

#include <rocksdb/db.h>

#include "storage/aes_gcm.hpp"
#include "storage/database.hpp"
#include "storage/master_key.hpp"

namespace parley::storage {

namespace {

constexpr std::string_view check_key = "c";
constexpr std::string_view check_text = "parley master key check";

bool holds_any_key(database& db) {
  std::unique_ptr<rocksdb::Iterator> it{db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(column_family::keys))};
  it->SeekToFirst();
  return it->Valid();
}

} // namespace

std::string enable_encryption_at_rest(database& db, const std::string& key_file) {
  auto check = db.get(column_family::keys, check_key);
  std::error_code ec;
  if ((check || holds_any_key(db)) && !std::filesystem::exists(key_file, ec))
    return "the master key file " + key_file + " is missing, but the data folder " + db.path()
           + " holds data encrypted under a master key; restore that key file (or point --master-key-file at it)";
  std::string key;
  if (auto error = load_master_key(key_file, key); !error.empty())
    return error;
  if (check) {
    if (aes_gcm_open(key, *check, check_text) != std::string{check_text})
      return "the master key in " + key_file + " is not the key the data folder " + db.path()
             + " was encrypted with; restore the right key file";
  } else {
    write_set writes;
    writes.put(column_family::keys, std::string{check_key}, aes_gcm_seal(key, check_text, check_text));
    if (auto status = db.write_synced(writes); !status.ok())
      return "cannot record the master key check: " + status.ToString();
  }
  db.enable_encryption(std::move(key));
  return {};
}

std::string leave_encryption_off(database& db) {
  if (db.get(column_family::keys, check_key) || holds_any_key(db))
    return "the data folder " + db.path() + " holds data encrypted at rest; --unencrypted-store is only for a "
           "fresh folder (it measures what encryption costs)";
  return {};
}

} // namespace parley::storage
