// Keys: 'C'|SHA-256 of the challenge text → record, in the accounts family (never the text itself).
#include "accounts/mfa_challenge_repository.hpp"

#include <memory>

#include <rocksdb/db.h>

#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/value_codec.hpp"
#include "storage/write_set.hpp"

namespace parley::accounts {

namespace {

constexpr uint8_t challenge_prefix = 'C';

std::string challenge_key(std::string_view digest) {
  return storage::key_builder{}.u8(challenge_prefix).bytes(digest).str();
}

} // namespace

void put_mfa_challenge(storage::write_set& writes, std::string_view digest, const mfa_challenge_record& challenge) {
  writes.put(storage::column_family::accounts, challenge_key(digest), storage::encode_value(challenge));
}

void erase_mfa_challenge(storage::write_set& writes, std::string_view digest) {
  writes.erase(storage::column_family::accounts, challenge_key(digest));
}

std::vector<std::pair<std::string, mfa_challenge_record>> load_mfa_challenges(storage::database& db, int64_t now,
                                                                             storage::write_set& expired) {
  std::vector<std::pair<std::string, mfa_challenge_record>> live;
  const std::string prefix(1, static_cast<char>(challenge_prefix));
  std::unique_ptr<rocksdb::Iterator> it{
    db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(storage::column_family::accounts))};
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto record = storage::decode_value<mfa_challenge_record>(it->value().ToStringView());
    if (!record || record->expires_at <= now) {
      expired.erase(storage::column_family::accounts, it->key().ToString());
      continue;
    }
    live.emplace_back(it->key().ToString().substr(1), *record);
  }
  return live;
}

} // namespace parley::accounts
