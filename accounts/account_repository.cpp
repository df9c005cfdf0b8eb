// Account keys: 'u'|id and 'n'|username in the accounts family, token digests in tokens.
#include "accounts/account_repository.hpp"

#include <chrono>
#include <memory>

#include <rocksdb/db.h>

#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/data_owner.hpp"
#include "storage/sealed_value.hpp"

namespace parley::accounts {

namespace {

using storage::column_family;
using storage::key_builder;

constexpr uint8_t user_prefix = 'u';
constexpr uint8_t name_prefix = 'n';

std::string user_key(uint64_t id) {
  return key_builder{}.u8(user_prefix).u64(id).str();
}

std::string name_key(std::string_view normalized) {
  return key_builder{}.u8(name_prefix).bytes(normalized).str();
}

} // namespace

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::optional<std::string> normalize_username(std::string_view username) {
  if (username.size() < 3 || username.size() > 32)
    return std::nullopt;
  std::string result;
  result.reserve(username.size());
  for (char c : username) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return std::nullopt;
    result.push_back(c);
  }
  return result;
}

std::optional<user_record> account_repository::find_by_id(uint64_t id) const {
  auto bytes = db_.get(column_family::accounts, user_key(id));
  if (!bytes)
    return std::nullopt;
  return storage::decode_stored<user_record>(db_, *bytes);
}

std::optional<user_record> account_repository::find_by_username(std::string_view normalized) const {
  auto bytes = db_.get(column_family::accounts, name_key(normalized));
  if (!bytes)
    return std::nullopt;
  auto id = storage::read_u64(*bytes);
  if (!id)
    return std::nullopt;
  return find_by_id(*id);
}

std::optional<token_record> account_repository::find_token(std::string_view digest) const {
  auto bytes = db_.get(column_family::tokens, digest);
  if (!bytes)
    return std::nullopt;
  return storage::decode_value<token_record>(*bytes);
}

std::vector<user_record> account_repository::list_users() const {
  std::vector<user_record> result;
  std::unique_ptr<rocksdb::Iterator> it{
    db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::accounts))};
  const std::string prefix(1, static_cast<char>(name_prefix));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto id = storage::read_u64(it->value().ToStringView());
    if (!id)
      continue;
    if (auto user = find_by_id(*id))
      result.push_back(std::move(*user));
  }
  return result;
}

void account_repository::add_user(storage::write_set& writes, const user_record& user) {
  auto normalized = normalize_username(user.username).value_or(user.username);
  writes.put_sealed(column_family::accounts, user_key(user.id), storage::user_owner(user.id), storage::encode_value(user));
  writes.put(column_family::accounts, name_key(normalized), key_builder{}.u64(user.id).str());
}

void account_repository::remove_user(storage::write_set& writes, const user_record& user) {
  auto normalized = normalize_username(user.username).value_or(user.username);
  writes.erase(column_family::accounts, user_key(user.id));
  writes.erase(column_family::accounts, name_key(normalized));
}

std::optional<uint64_t> account_repository::user_written_by(const storage::write_op& op) {
  if (op.family != static_cast<uint8_t>(column_family::accounts) || op.key.size() != 9
      || static_cast<uint8_t>(op.key[0]) != user_prefix)
    return std::nullopt;
  return storage::read_u64(op.key, 1);
}

void account_repository::add_token(storage::write_set& writes, std::string_view digest,
                                   const token_record& token) {
  writes.put(column_family::tokens, std::string{digest}, storage::encode_value(token));
}

void account_repository::remove_token(storage::write_set& writes, std::string_view digest) {
  writes.erase(column_family::tokens, std::string{digest});
}

} // namespace parley::accounts
