// Organisation records next to the users in the accounts family.
#include "accounts/organisation_repository.hpp"

#include <memory>

#include <rocksdb/db.h>

#include "accounts/account_repository.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/value_codec.hpp"

namespace parley::accounts {

namespace {

using storage::column_family;
using storage::key_builder;

constexpr uint8_t org_prefix = 'o';

std::string org_key(uint64_t id) {
  return key_builder{}.u8(org_prefix).u64(id).str();
}

} // namespace

std::optional<org_record> organisation_repository::find(uint64_t id) const {
  auto bytes = db_.get(column_family::accounts, org_key(id));
  if (!bytes)
    return std::nullopt;
  return storage::decode_value<org_record>(*bytes);
}

std::vector<org_record> organisation_repository::list() const {
  std::vector<org_record> result;
  std::unique_ptr<rocksdb::Iterator> it{db_.raw().NewIterator(rocksdb::ReadOptions{}, db_.handle(column_family::accounts))};
  const std::string prefix(1, static_cast<char>(org_prefix));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    if (auto org = storage::decode_value<org_record>(it->value().ToStringView()))
      result.push_back(std::move(*org));
  return result;
}

std::optional<org_record> organisation_repository::find_for_user(uint64_t user_id) const {
  account_repository users{db_};
  auto user = users.find_by_id(user_id);
  return find(user ? user->org_id : default_org_id);
}

std::optional<std::string> organisation_repository::tier_refusal(uint64_t org_id, size_t participants) const {
  auto org = find(org_id);
  const std::string tier = org ? org->settings.tier : "basic";
  const auto cap = tier_cap(tier).value_or(tiers[0].max_participants);
  if (participants < cap)
    return std::nullopt;
  return "this meeting has reached " + std::to_string(cap) + " participants, the cap of the organisation's " + tier
         + " tier";
}

void organisation_repository::put(storage::write_set& writes, const org_record& org) {
  writes.put(column_family::accounts, org_key(org.id), storage::encode_value(org));
}

void organisation_repository::erase(storage::write_set& writes, uint64_t id) {
  writes.erase(column_family::accounts, org_key(id));
}

std::string ensure_default_organisation(storage::database& db) {
  if (organisation_repository{db}.find(default_org_id))
    return {};
  org_record org;
  org.id = default_org_id;
  org.name = "Default";
  org.created_at = unix_now();
  storage::write_set writes;
  organisation_repository::put(writes, org);
  if (auto status = db.write_synced(writes); !status.ok())
    return "cannot create the default organisation: " + status.ToString();
  return {};
}

} // namespace parley::accounts
