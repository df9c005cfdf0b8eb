// BackupEngine wrappers: create + verify, list, restore.
#include "storage/backup.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>

#include <rocksdb/env.h>
#include <rocksdb/utilities/backup_engine.h>

#include "storage/database.hpp"

namespace parley::storage {

std::string create_backup(database& db, const std::string& backup_dir, backup_info& created) {
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::BackupEngineOptions options(backup_dir);
  auto status = rocksdb::BackupEngine::Open(rocksdb::Env::Default(), options, &raw);
  if (!status.ok())
    return "cannot open backup folder " + backup_dir + ": " + status.ToString();
  std::unique_ptr<rocksdb::BackupEngine> engine{raw};
  rocksdb::CreateBackupOptions create;
  create.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  status = engine->CreateNewBackup(create, &db.raw(), &id);
  if (!status.ok())
    return "backup failed: " + status.ToString();
  status = engine->VerifyBackup(id, true);
  if (!status.ok())
    return "backup " + std::to_string(id) + " failed verification: " + status.ToString();
  rocksdb::BackupInfo info;
  engine->GetBackupInfo(id, &info);
  created = backup_info{id, info.timestamp, info.size};
  return {};
}

std::vector<backup_info> list_backups(const std::string& backup_dir, std::string& error) {
  std::vector<backup_info> result;
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  auto status = rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(),
                                                    rocksdb::BackupEngineOptions(backup_dir), &raw);
  if (!status.ok()) {
    error = "cannot open backup folder " + backup_dir + ": " + status.ToString();
    return result;
  }
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine{raw};
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  for (const auto& info : infos)
    result.push_back(backup_info{info.backup_id, info.timestamp, info.size});
  return result;
}

std::string prune_backups(const std::string& backup_dir, uint32_t keep) {
  rocksdb::BackupEngine* raw = nullptr;
  auto status = rocksdb::BackupEngine::Open(rocksdb::Env::Default(), rocksdb::BackupEngineOptions(backup_dir), &raw);
  if (!status.ok())
    return "cannot open backup folder " + backup_dir + ": " + status.ToString();
  std::unique_ptr<rocksdb::BackupEngine> engine{raw};
  status = engine->PurgeOldBackups(std::max<uint32_t>(keep, 1));
  if (!status.ok())
    return "cannot delete old backups: " + status.ToString();
  return {};
}

std::string verify_backup(const std::string& backup_dir, uint32_t id) {
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  auto status = rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(),
                                                    rocksdb::BackupEngineOptions(backup_dir), &raw);
  if (!status.ok())
    return "cannot open backup folder " + backup_dir + ": " + status.ToString();
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine{raw};
  status = engine->VerifyBackup(id, true);
  if (!status.ok())
    return "backup " + std::to_string(id) + " failed verification: " + status.ToString();
  return {};
}

std::string restore_backup(const std::string& backup_dir, uint32_t id, const std::string& data_dir) {
  auto db_dir = data_dir + "/db";
  std::error_code ec;
  if (std::filesystem::exists(db_dir + "/CURRENT", ec))
    return "the data folder " + data_dir + " already holds a database; restore into an empty folder "
           "(or move the old one away first)";
  std::filesystem::create_directories(db_dir, ec);
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  auto status = rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(),
                                                    rocksdb::BackupEngineOptions(backup_dir), &raw);
  if (!status.ok())
    return "cannot open backup folder " + backup_dir + ": " + status.ToString();
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine{raw};
  status = id == 0 ? engine->RestoreDBFromLatestBackup(db_dir, db_dir)
                   : engine->RestoreDBFromBackup(id, db_dir, db_dir);
  if (!status.ok())
    return "restore failed: " + status.ToString();
  return {};
}

} // namespace parley::storage
