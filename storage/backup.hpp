// Consistent backups of a live database and restore into an empty data folder (RocksDB BackupEngine).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parley::storage {

class database;

struct backup_info {
  uint32_t id = 0;
  int64_t timestamp = 0; // unix seconds
  uint64_t size = 0;     // bytes
};

/// Creates a new backup of `db` in `backup_dir` and verifies it. Returns an error text or "".
std::string create_backup(database& db, const std::string& backup_dir, backup_info& created);

std::vector<backup_info> list_backups(const std::string& backup_dir, std::string& error);

/// Deletes all but the newest `keep` backups in `backup_dir` (keep ≥ 1). Returns an error text or "".
std::string prune_backups(const std::string& backup_dir, uint32_t keep);

/// Re-reads backup `id` and checks every file against its checksum. Returns an error text or "".
std::string verify_backup(const std::string& backup_dir, uint32_t id);

/// Restores backup `id` (0: the latest) into `data_dir`, which must not hold a database.
std::string restore_backup(const std::string& backup_dir, uint32_t id, const std::string& data_dir);

} // namespace parley::storage
