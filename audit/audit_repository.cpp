// Audit entries in seq order under big-endian keys, scanned with an iterator.
#include "audit/audit_repository.hpp"

#include <cstdint>
#include <memory>

#include <rocksdb/db.h>

#include "audit/audit_chain.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/value_codec.hpp"

namespace parley::audit {

namespace {

using storage::column_family;
constexpr uint8_t entry_prefix = 'e';

} // namespace

bool audit_filter::matches(const audit_event& e) const {
  if (from_ms && e.at_ms < from_ms)
    return false;
  if (to_ms && e.at_ms >= to_ms)
    return false;
  if (actor_id && e.actor_id != *actor_id)
    return false;
  if (org_id && e.org_id != *org_id)
    return false;
  if (!kind.empty()) {
    if (kind.back() == '.') {
      if (e.kind.rfind(kind, 0) != 0)
        return false;
    } else if (e.kind != kind) {
      return false;
    }
  }
  return true;
}

std::string audit_repository::key(uint64_t seq) {
  return storage::key_builder{}.u8(entry_prefix).u64(seq).str();
}

void audit_repository::put(storage::write_set& writes, const audit_event& event) {
  writes.put(column_family::audit, key(event.seq), storage::encode_value(event));
}

std::optional<audit_event> audit_repository::last() const {
  std::unique_ptr<rocksdb::Iterator> it{db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::audit))};
  it->SeekForPrev(key(UINT64_MAX));
  if (!it->Valid() || !it->key().starts_with(std::string(1, static_cast<char>(entry_prefix))))
    return std::nullopt;
  return storage::decode_value<audit_event>(it->value().ToStringView());
}

void audit_repository::scan(const audit_filter& filter, const std::function<void(const audit_event&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it{db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::audit))};
  const std::string prefix(1, static_cast<char>(entry_prefix));
  for (it->Seek(key(filter.after_seq + 1)); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto event = storage::decode_value<audit_event>(it->value().ToStringView());
    if (event && filter.matches(*event))
      visit(*event);
  }
}

std::vector<audit_event> audit_repository::query(const audit_filter& filter) const {
  std::vector<audit_event> result;
  std::unique_ptr<rocksdb::Iterator> it{db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::audit))};
  const std::string prefix(1, static_cast<char>(entry_prefix));
  for (it->Seek(key(filter.after_seq + 1)); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto event = storage::decode_value<audit_event>(it->value().ToStringView());
    if (event && filter.matches(*event)) {
      result.push_back(std::move(*event));
      if (result.size() >= filter.limit)
        break;
    }
  }
  return result;
}

verify_report audit_repository::verify() const {
  verify_report report;
  std::unique_ptr<rocksdb::Iterator> it{db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::audit))};
  const std::string prefix(1, static_cast<char>(entry_prefix));
  auto prev = genesis_hash();
  uint64_t expected = 1;
  auto broken = [&](uint64_t seq, std::string problem) {
    report.intact = false;
    report.first_broken = seq;
    report.problem = std::move(problem);
  };
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next(), ++expected) {
    auto key_seq = storage::read_u64(it->key().ToStringView(), 1).value_or(0);
    auto event = storage::decode_value<audit_event>(it->value().ToStringView());
    if (!event) {
      broken(key_seq, "the entry cannot be decoded");
      return report;
    }
    if (key_seq != expected || event->seq != expected) {
      broken(expected, "entry " + std::to_string(expected) + " is missing (found seq "
                         + std::to_string(event->seq) + " under key " + std::to_string(key_seq) + ")");
      return report;
    }
    if (event->prev_hash != prev) {
      broken(event->seq, "its previous-hash does not match the entry before it");
      return report;
    }
    if (entry_hash(*event) != event->hash) {
      broken(event->seq, "its content does not match its hash (the entry was altered)");
      return report;
    }
    prev = event->hash;
    ++report.entries;
  }
  return report;
}

} // namespace parley::audit
