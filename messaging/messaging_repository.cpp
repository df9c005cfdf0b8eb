// Messaging reads over the node's RocksDB (bounded scans) and write-set builders; values go through the value codec.
#include "messaging/messaging_repository.hpp"

#include <algorithm>
#include <memory>

#include <rocksdb/db.h>

#include "messaging/messaging_keys.hpp"
#include "storage/database.hpp"
#include "storage/data_owner.hpp"
#include "storage/key_codec.hpp"
#include "storage/sealed_value.hpp"

namespace parley::messaging {

namespace {

using storage::column_family;

std::unique_ptr<rocksdb::Iterator> iterate(storage::database& db, column_family cf) {
  return std::unique_ptr<rocksdb::Iterator>{db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(cf))};
}

/// A timeline entry. One sealed under a key that was destroyed (its writer was deleted) reads
/// as a deleted entry of that writer, so the timeline keeps its sequence without the content.
std::optional<message_record> read_message(const storage::database& db, std::string_view key, std::string_view bytes) {
  if (auto m = storage::decode_stored<message_record>(db, bytes))
    return m;
  if (!storage::data_key_ring::is_sealed(bytes) || !db.key_ring())
    return std::nullopt;
  message_record gone;
  gone.seq = storage::read_u64(key, key.size() - 8).value_or(0);
  gone.sender = storage::data_key_ring::owner_of(bytes);
  gone.kind = std::string{kinds::text};
  gone.deleted = true;
  return gone;
}

} // namespace

std::optional<conversation_record> messaging_repository::find_conversation(uint64_t id) const {
  auto bytes = db_.get(column_family::messages, keys::conversation(id));
  if (!bytes)
    return std::nullopt;
  return storage::decode_value<conversation_record>(*bytes);
}

std::optional<uint64_t> messaging_repository::find_direct(uint64_t a, uint64_t b) const {
  auto bytes = db_.get(column_family::messages, keys::direct_pair(a, b));
  if (!bytes)
    return std::nullopt;
  return storage::decode_value<uint64_t>(*bytes);
}

std::optional<message_record> messaging_repository::find_message(uint64_t conversation, uint64_t seq) const {
  const auto key = keys::message(conversation, seq);
  auto bytes = db_.get(column_family::messages, key);
  if (!bytes)
    return std::nullopt;
  return read_message(db_, key, *bytes);
}

std::optional<message_record> messaging_repository::last_message(uint64_t conversation) const {
  auto page = before(conversation, 0, 1);
  if (page.empty())
    return std::nullopt;
  return std::move(page.front());
}

std::vector<message_record> messaging_repository::after(uint64_t conversation, uint64_t after, size_t limit) const {
  std::vector<message_record> out;
  if (after == ~uint64_t{0})
    return out;
  const auto prefix = keys::timeline_prefix(conversation);
  auto it = iterate(db_, column_family::messages);
  for (it->Seek(keys::message(conversation, after + 1)); it->Valid() && it->key().starts_with(prefix) && out.size() < limit;
       it->Next())
    if (auto m = read_message(db_, it->key().ToStringView(), it->value().ToStringView()))
      out.push_back(std::move(*m));
  return out;
}

std::vector<message_record> messaging_repository::before(uint64_t conversation, uint64_t before, size_t limit) const {
  std::vector<message_record> out;
  const auto prefix = keys::timeline_prefix(conversation);
  auto it = iterate(db_, column_family::messages);
  const uint64_t last = before == 0 ? ~uint64_t{0} : before - 1;
  if (before == 1)
    return out;
  for (it->SeekForPrev(keys::message(conversation, last)); it->Valid() && it->key().starts_with(prefix) && out.size() < limit;
       it->Prev())
    if (auto m = read_message(db_, it->key().ToStringView(), it->value().ToStringView()))
      out.push_back(std::move(*m));
  std::reverse(out.begin(), out.end());
  return out;
}

std::optional<uint64_t> messaging_repository::find_client_id(uint64_t conversation, uint64_t sender,
                                                             std::string_view id) const {
  auto bytes = db_.get(column_family::messages, keys::client_id(conversation, sender, id));
  if (!bytes)
    return std::nullopt;
  return storage::decode_value<uint64_t>(*bytes);
}

uint64_t messaging_repository::read_marker(uint64_t user, uint64_t conversation) const {
  auto bytes = db_.get(column_family::messages, keys::read_marker(user, conversation));
  if (!bytes)
    return 0;
  return storage::decode_value<uint64_t>(*bytes).value_or(0);
}

uint64_t messaging_repository::unread(uint64_t conversation, uint64_t user, uint64_t after, uint64_t cap) const {
  uint64_t count = 0;
  if (after == ~uint64_t{0})
    return count;
  const auto prefix = keys::timeline_prefix(conversation);
  auto it = iterate(db_, column_family::messages);
  for (it->Seek(keys::message(conversation, after + 1)); it->Valid() && it->key().starts_with(prefix) && count < cap;
       it->Next()) {
    auto m = read_message(db_, it->key().ToStringView(), it->value().ToStringView());
    if (m && m->sender != user && m->is_content())
      ++count;
  }
  return count;
}

namespace {

std::vector<std::pair<uint64_t, int64_t>> scan_activity(storage::database& db, uint64_t user, const std::string& from,
                                                        size_t limit) {
  std::vector<std::pair<uint64_t, int64_t>> out;
  const auto prefix = keys::activity_prefix(user);
  auto it = iterate(db, column_family::messages);
  for (it->Seek(from); it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    auto key = it->key().ToStringView();
    auto inverted = storage::read_u64(key, prefix.size());
    auto conversation = storage::read_u64(key, prefix.size() + 8);
    if (inverted && conversation)
      out.emplace_back(*conversation, static_cast<int64_t>(~*inverted));
  }
  return out;
}

} // namespace

std::vector<std::pair<uint64_t, int64_t>> messaging_repository::by_activity(uint64_t user, size_t limit) const {
  return scan_activity(db_, user, keys::activity_prefix(user), limit);
}

std::vector<std::pair<uint64_t, int64_t>> messaging_repository::by_activity_after(uint64_t user, int64_t activity_ms,
                                                                                  uint64_t conversation,
                                                                                  size_t limit) const {
  // The smallest key after the given entry: the same key with one more (zero) byte.
  auto from = keys::activity(user, activity_ms, conversation);
  from.push_back('\0');
  return scan_activity(db_, user, from, limit);
}

std::optional<image_record> messaging_repository::find_image(uint64_t id) const {
  auto bytes = db_.get(column_family::files, keys::image(id));
  if (!bytes)
    return std::nullopt;
  return storage::decode_stored<image_record>(db_, *bytes);
}

std::optional<std::string> messaging_repository::image_bytes(uint64_t id) const {
  auto bytes = db_.get(column_family::files, keys::image_bytes(id));
  if (!bytes)
    return std::nullopt;
  auto blob = storage::decode_stored<std::vector<char>>(db_, *bytes);
  if (!blob)
    return std::nullopt;
  return std::string{blob->begin(), blob->end()};
}

void messaging_repository::put_conversation(storage::write_set& writes, const conversation_record& record) {
  writes.put(column_family::messages, keys::conversation(record.id), storage::encode_value(record));
}

void messaging_repository::put_direct(storage::write_set& writes, uint64_t a, uint64_t b, uint64_t conversation) {
  writes.put(column_family::messages, keys::direct_pair(a, b), storage::encode_value(conversation));
}

void messaging_repository::put_message(storage::write_set& writes, uint64_t conversation,
                                       const message_record& message) {
  writes.put_sealed(column_family::messages, keys::message(conversation, message.seq),
                    storage::user_owner(message.sender), storage::encode_value(message));
}

void messaging_repository::put_client_id(storage::write_set& writes, uint64_t conversation, uint64_t sender,
                                         std::string_view id, uint64_t seq) {
  writes.put(column_family::messages, keys::client_id(conversation, sender, id), storage::encode_value(seq));
}

void messaging_repository::move_activity(storage::write_set& writes, uint64_t user, uint64_t conversation,
                                         int64_t old_ms, int64_t new_ms) {
  if (old_ms == new_ms && old_ms != 0)
    return;
  if (old_ms != 0)
    writes.erase(column_family::messages, keys::activity(user, old_ms, conversation));
  writes.put(column_family::messages, keys::activity(user, new_ms, conversation), {});
}

void messaging_repository::erase_activity(storage::write_set& writes, uint64_t user, uint64_t conversation,
                                          int64_t ms) {
  writes.erase(column_family::messages, keys::activity(user, ms, conversation));
}

void messaging_repository::put_read_marker(storage::write_set& writes, uint64_t user, uint64_t conversation,
                                           uint64_t seq) {
  writes.put(column_family::messages, keys::read_marker(user, conversation), storage::encode_value(seq));
}

void messaging_repository::put_image(storage::write_set& writes, const image_record& image, std::string bytes) {
  const auto owner = storage::user_owner(image.uploader);
  writes.put_sealed(column_family::files, keys::image(image.id), owner, storage::encode_value(image));
  std::vector<char> blob(bytes.begin(), bytes.end());
  writes.put_sealed(column_family::files, keys::image_bytes(image.id), owner, storage::encode_value(blob));
}

} // namespace parley::messaging
