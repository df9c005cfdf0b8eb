// The node's RocksDB: opening with every column family, the schema version, point reads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>

#include "storage/column_family.hpp"
#include "storage/write_set.hpp"

namespace parley::storage {

class data_key_ring;

class database {
public:
  /// The schema this build writes. Opening a folder written by a newer schema fails.
  static constexpr uint32_t schema_version = 1;

  /// Opens (creating if needed) the database in `path`. On failure `error` says why, in
  /// words an operator can act on (e.g. another parleyd holds the folder).
  static std::shared_ptr<database> open(const std::string& path, std::string& error);

  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  rocksdb::DB& raw() noexcept { return *db_; }
  rocksdb::ColumnFamilyHandle* handle(column_family cf) const noexcept {
    return handles_[static_cast<size_t>(cf) + 1];
  }
  const std::string& path() const noexcept { return path_; }

  /// Point read; nullopt if absent. Errors other than "not found" are logged and read as absent.
  std::optional<std::string> get(column_family cf, std::string_view key) const;

  /// Writes one batch and waits for the WAL sync. Callers inside the server go through the
  /// store actor, which group-commits; this is for tools and start-up.
  rocksdb::Status write_synced(rocksdb::WriteBatch& batch);
  rocksdb::Status write_synced(const write_set& writes);

  /// Flushes memtables (used before backups and at shutdown).
  rocksdb::Status flush();

  /// Flushes, compacts every family down to its last level (dropping deleted and overwritten
  /// values from the files) and syncs the WAL, so erased records leave the data folder.
  rocksdb::Status compact_all();

  /// Turns on encryption at rest: from now on values written with write_set::put_sealed are
  /// sealed under their owner's data key, which `master_key` wraps (storage/encryption_at_rest.hpp
  /// checks the key first).
  void enable_encryption(std::string master_key);
  /// The data keys; null while encryption at rest is off (tools and tests that do not load a key).
  data_key_ring* key_ring() const noexcept { return ring_.get(); }

private:
  database() = default;
  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_; // [0] is "default"
  std::unique_ptr<data_key_ring> ring_;
};

} // namespace parley::storage
