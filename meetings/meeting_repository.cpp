// Meeting keys and values (msgpack) over the node's RocksDB; scans are short and bounded.
#include "meetings/meeting_repository.hpp"

#include <algorithm>
#include <memory>

#include <rocksdb/db.h>

#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/data_owner.hpp"
#include "storage/sealed_value.hpp"

namespace parley::meetings {

namespace {

using storage::column_family;
using storage::key_builder;

constexpr uint8_t meeting_prefix = 'm';
constexpr uint8_t host_prefix = 'h';
constexpr uint8_t pmi_prefix = 'p';
constexpr uint8_t user_prefix = 'u';
constexpr uint8_t live_prefix = 'l';
constexpr uint8_t guest_prefix = 'g';

std::string live_key(uint64_t id) {
  return key_builder{}.u8(live_prefix).u64(id).str();
}

std::string guest_key(const std::string& digest) {
  return std::string(1, static_cast<char>(guest_prefix)) + digest;
}

std::string host_key(uint64_t host, uint64_t id) {
  return key_builder{}.u8(host_prefix).u64(host).u64(id).str();
}

std::string pmi_key(uint64_t pmi) {
  return key_builder{}.u8(pmi_prefix).u64(pmi).str();
}

std::string user_key(uint64_t user) {
  return key_builder{}.u8(user_prefix).u64(user).str();
}

} // namespace

std::string meeting_repository::meeting_key(uint64_t id) {
  return key_builder{}.u8(meeting_prefix).u64(id).str();
}

std::string meeting_repository::chat_key(uint64_t meeting_id, uint64_t seq) {
  return key_builder{}.u64(meeting_id).u64(seq).str();
}

std::optional<meeting_record> meeting_repository::find(uint64_t id) const {
  auto value = db_.get(column_family::meetings, meeting_key(id));
  if (!value)
    return std::nullopt;
  return storage::decode_value<meeting_record>(*value);
}

std::vector<meeting_record> meeting_repository::list_by_host(uint64_t host_id, size_t limit) const {
  std::vector<meeting_record> out;
  const auto prefix = key_builder{}.u8(host_prefix).u64(host_id).str();
  std::unique_ptr<rocksdb::Iterator> it{
    db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::meetings))};
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    auto id = storage::read_u64(it->key().ToStringView(), prefix.size());
    if (!id)
      continue;
    if (auto record = find(*id))
      out.push_back(std::move(*record));
  }
  return out;
}

std::optional<uint64_t> meeting_repository::pmi_owner(uint64_t pmi) const {
  auto value = db_.get(column_family::meetings, pmi_key(pmi));
  if (!value)
    return std::nullopt;
  return storage::read_u64(*value);
}

std::optional<uint64_t> meeting_repository::pmi_of(uint64_t user_id) const {
  auto value = db_.get(column_family::meetings, user_key(user_id));
  if (!value)
    return std::nullopt;
  return storage::read_u64(*value);
}

uint64_t meeting_repository::last_chat_seq(uint64_t meeting_id) const {
  std::unique_ptr<rocksdb::Iterator> it{
    db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::messages))};
  it->SeekForPrev(chat_key(meeting_id, UINT64_MAX));
  if (!it->Valid())
    return 0;
  auto key = it->key().ToStringView();
  if (storage::read_u64(key) != meeting_id)
    return 0;
  return storage::read_u64(key, 8).value_or(0);
}

std::vector<chat_record> meeting_repository::chat_history(uint64_t meeting_id, uint64_t before_seq, size_t limit,
                                                          uint64_t viewer) const {
  std::vector<chat_record> out;
  if (limit == 0)
    return out;
  std::unique_ptr<rocksdb::Iterator> it{
    db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::messages))};
  const auto upper = before_seq == 0 ? UINT64_MAX : before_seq - 1;
  // Private messages for others are skipped; cap the scan so a viewer who sees few does not scan all.
  size_t scanned = 0;
  for (it->SeekForPrev(chat_key(meeting_id, upper)); it->Valid() && out.size() < limit && scanned < limit * 20;
       it->Prev(), ++scanned) {
    auto key = it->key().ToStringView();
    if (key.size() != 16 || storage::read_u64(key) != meeting_id)
      break;
    auto record = storage::decode_stored<chat_record>(db_, it->value().ToStringView());
    if (record && record->visible_to(viewer))
      out.push_back(std::move(*record));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<chat_record> meeting_repository::chat_all(uint64_t meeting_id, uint64_t viewer, size_t limit) const {
  std::vector<chat_record> out;
  std::unique_ptr<rocksdb::Iterator> it{
    db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::messages))};
  const auto prefix = key_builder{}.u64(meeting_id).str();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    auto record = storage::decode_stored<chat_record>(db_, it->value().ToStringView());
    if (record && record->visible_to(viewer))
      out.push_back(std::move(*record));
  }
  return out;
}

void meeting_repository::erase_chat(storage::write_set& writes, uint64_t meeting_id) const {
  std::unique_ptr<rocksdb::Iterator> it{
    db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::messages))};
  const auto prefix = key_builder{}.u64(meeting_id).str();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    writes.erase(column_family::messages, it->key().ToString());
}

std::optional<live_snapshot> meeting_repository::find_live(uint64_t meeting_id) const {
  auto value = db_.get(column_family::meetings, live_key(meeting_id));
  if (!value)
    return std::nullopt;
  return storage::decode_value<live_snapshot>(*value);
}

std::vector<uint64_t> meeting_repository::live_meeting_ids(size_t limit) const {
  std::vector<uint64_t> out;
  const auto prefix = std::string(1, static_cast<char>(live_prefix));
  std::unique_ptr<rocksdb::Iterator> it{
    db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::meetings))};
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next())
    if (auto id = storage::read_u64(it->key().ToStringView(), 1))
      out.push_back(*id);
  return out;
}

std::optional<guest_record> meeting_repository::find_guest(const std::string& token_digest) const {
  auto value = db_.get(column_family::meetings, guest_key(token_digest));
  if (!value)
    return std::nullopt;
  return storage::decode_value<guest_record>(*value);
}

void meeting_repository::put_live(storage::write_set& writes, uint64_t meeting_id, const live_snapshot& snapshot) {
  writes.put(column_family::meetings, live_key(meeting_id), storage::encode_value(snapshot));
}

void meeting_repository::remove_live(storage::write_set& writes, uint64_t meeting_id) {
  writes.erase(column_family::meetings, live_key(meeting_id));
}

void meeting_repository::put_guest(storage::write_set& writes, const std::string& token_digest,
                                   const guest_record& guest) {
  writes.put(column_family::meetings, guest_key(token_digest), storage::encode_value(guest));
}

void meeting_repository::put(storage::write_set& writes, const meeting_record& record) {
  writes.put(column_family::meetings, meeting_key(record.id), storage::encode_value(record));
  writes.put(column_family::meetings, host_key(record.host_id, record.id), "");
}

void meeting_repository::remove(storage::write_set& writes, const meeting_record& record) {
  writes.erase(column_family::meetings, meeting_key(record.id));
  writes.erase(column_family::meetings, host_key(record.host_id, record.id));
}

void meeting_repository::set_pmi(storage::write_set& writes, uint64_t user_id, std::optional<uint64_t> old_pmi,
                                 uint64_t pmi) {
  if (old_pmi && *old_pmi != pmi)
    writes.erase(column_family::meetings, pmi_key(*old_pmi));
  writes.put(column_family::meetings, pmi_key(pmi), key_builder{}.u64(user_id).str());
  writes.put(column_family::meetings, user_key(user_id), key_builder{}.u64(pmi).str());
}

void meeting_repository::add_chat(storage::write_set& writes, uint64_t meeting_id, const chat_record& record,
                                  uint64_t org_id, bool from_guest) {
  // A signed-in sender's words are theirs (shredded with them); a guest's belong to the organisation.
  const auto owner = record.from_user != 0 && !from_guest ? storage::user_owner(record.from_user)
                     : org_id != 0         ? storage::org_owner(org_id)
                                           : 0;
  writes.put_sealed(column_family::messages, chat_key(meeting_id, record.seq), owner, storage::encode_value(record));
}

} // namespace parley::meetings
