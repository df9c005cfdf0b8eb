// RocksDB setup: column families, the schema check and the options the node runs with.
#include "storage/database.hpp"

#include <filesystem>

#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "storage/data_key_ring.hpp"
#include "storage/key_codec.hpp"
#include "telemetry/logger.hpp"

namespace parley::storage {

namespace {

constexpr std::string_view schema_key = "schema_version";

rocksdb::ColumnFamilyOptions family_options() {
  rocksdb::ColumnFamilyOptions options;
  options.write_buffer_size = 16 << 20;
  options.OptimizeLevelStyleCompaction(64 << 20);
  // Bloom filters in the table files and the memtable: a point read of a key that does not exist
  // (every new IM client id is looked up before it is stored) is then answered without searching.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_prefix_bloom_size_ratio = 0.05;
  options.memtable_whole_key_filtering = true;
  return options;
}

} // namespace

std::shared_ptr<database> database::open(const std::string& path, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    error = "cannot create data folder " + path + ": " + ec.message();
    return nullptr;
  }
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.keep_log_file_num = 5;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options());
  for (auto name : column_family_names)
    families.emplace_back(std::string{name}, family_options());
  std::shared_ptr<database> result{new database};
  result->path_ = path;
  rocksdb::DB* raw = nullptr;
  auto status = rocksdb::DB::Open(options, path + "/db", families, &result->handles_, &raw);
  if (!status.ok()) {
    error = status.ToString();
    if (status.IsIOError() && error.find("lock") != std::string::npos)
      error = "the data folder " + path + " is in use by another parleyd process (" + error + ")";
    return nullptr;
  }
  result->db_.reset(raw);
  auto stored = result->get(column_family::meta, schema_key);
  if (stored) {
    auto version = read_u32(*stored);
    if (!version || *version > schema_version) {
      error = "the data folder " + path + " was written by a newer parleyd (schema "
              + std::to_string(version.value_or(0)) + ", this build reads up to "
              + std::to_string(schema_version) + ")";
      return nullptr;
    }
  } else {
    rocksdb::WriteBatch batch;
    batch.Put(result->handle(column_family::meta), std::string{schema_key},
              key_builder{}.u32(schema_version).str());
    if (auto s = result->write_synced(batch); !s.ok()) {
      error = "cannot write the schema version: " + s.ToString();
      return nullptr;
    }
  }
  return result;
}

database::~database() {
  ring_.reset();
  if (!db_)
    return;
  for (auto* h : handles_)
    db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

std::optional<std::string> database::get(column_family cf, std::string_view key) const {
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions{}, handle(cf), rocksdb::Slice{key.data(), key.size()}, &value);
  if (status.ok())
    return value;
  if (!status.IsNotFound())
    telemetry::logger("storage")->error("read from {} failed: {}", name_of(cf), status.ToString());
  return std::nullopt;
}

rocksdb::Status database::write_synced(rocksdb::WriteBatch& batch) {
  rocksdb::WriteOptions options;
  options.sync = true;
  return db_->Write(options, &batch);
}

rocksdb::Status database::write_synced(const write_set& writes) {
  rocksdb::WriteBatch batch;
  for (const auto& op : writes.ops) {
    auto* cf = handle(static_cast<column_family>(op.family));
    if (op.erase) {
      batch.Delete(cf, op.key);
    } else if (op.seal_owner != 0 && ring_) {
      try {
        batch.Put(cf, op.key, ring_->seal(op.seal_owner, op.value));
      } catch (const owner_shredded&) {
        // Written for a deleted user after their key was destroyed: it must not be stored.
        telemetry::logger("storage")->warn("dropped a write for a deleted owner");
      } catch (const std::exception& e) {
        return rocksdb::Status::IOError("cannot seal a record", e.what());
      }
    } else {
      batch.Put(cf, op.key, op.value);
    }
  }
  return write_synced(batch);
}

rocksdb::Status database::flush() {
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.begin(), handles_.end());
  return db_->Flush(rocksdb::FlushOptions{}, all);
}

rocksdb::Status database::compact_all() {
  auto status = flush();
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (size_t i = 0; status.ok() && i < handles_.size(); ++i)
    status = db_->CompactRange(compact, handles_[i], nullptr, nullptr);
  if (status.ok())
    status = db_->FlushWAL(true);
  return status;
}

void database::enable_encryption(std::string master_key) {
  ring_ = std::make_unique<data_key_ring>(*this, std::move(master_key));
}

} // namespace parley::storage
