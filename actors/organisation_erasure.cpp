// Organisation deletion in storage: keys destroyed in one synced write, then the records by scans.
#include "actors/organisation_erasure.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <string_view>

#include <rocksdb/db.h>

#include "accounts/account_repository.hpp"
#include "accounts/api_key.hpp"
#include "accounts/organisation.hpp"
#include "accounts/organisation_repository.hpp"
#include "accounts/user_record.hpp"
#include "meetings/guest_record.hpp"
#include "meetings/meeting_record.hpp"
#include "messaging/conversation_record.hpp"
#include "messaging/image_record.hpp"
#include "messaging/messaging_keys.hpp"
#include "storage/data_key_ring.hpp"
#include "storage/data_owner.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/sealed_value.hpp"
#include "storage/value_codec.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using storage::column_family;
constexpr size_t ops_per_write = 1000;
/// Meta-family key prefix of a deletion in progress: prefix | org id → the member ids (msgpack).
constexpr std::string_view deletion_prefix = "org-deletion:";

/// Erases in synced batches of bounded size; remembers the first failure.
class eraser {
public:
  explicit eraser(storage::database& db) : db_(db) {}

  void erase(column_family cf, std::string key) {
    writes_.erase(cf, std::move(key));
    if (writes_.ops.size() >= ops_per_write)
      flush();
  }
  void flush() {
    if (writes_.ops.empty())
      return;
    auto status = db_.write_synced(writes_);
    if (!status.ok() && error_.empty())
      error_ = status.ToString();
    writes_ = storage::write_set{};
  }
  const std::string& error() const noexcept { return error_; }

private:
  storage::database& db_;
  storage::write_set writes_;
  std::string error_;
};

void scan(storage::database& db, column_family cf,
          const std::function<void(std::string_view key, std::string_view value)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it{db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(cf))};
  for (it->SeekToFirst(); it->Valid(); it->Next())
    visit(it->key().ToStringView(), it->value().ToStringView());
}

uint8_t tag(std::string_view key) {
  return key.empty() ? 0 : static_cast<uint8_t>(key[0]);
}

struct erasure {
  storage::database& db;
  eraser out;
  std::set<uint64_t> members;
  std::set<uint64_t> owners;        // destroyed key owners
  std::set<uint64_t> meetings;      // hosted by members
  std::set<uint64_t> conversations; // only members were in them
  std::set<uint64_t> images;        // in those conversations

  bool member(std::optional<uint64_t> id) const { return id && members.count(*id); }
  bool shredded(std::string_view value) const {
    return storage::data_key_ring::is_sealed(value) && owners.count(storage::data_key_ring::owner_of(value));
  }

  void accounts_family() {
    scan(db, column_family::accounts, [&](std::string_view key, std::string_view value) {
      const auto t = tag(key);
      bool erase = shredded(value);
      if (t == 'u' || t == 'K')
        erase = erase || member(storage::read_u64(key, 1));
      else if (t == 'n')
        erase = erase || member(storage::read_u64(value));
      else if (t == 'k')
        if (auto api_key = storage::decode_stored<accounts::api_key_record>(db, value))
          erase = erase || members.count(api_key->user_id);
      if (erase)
        out.erase(column_family::accounts, std::string{key});
    });
  }

  void tokens_family() {
    scan(db, column_family::tokens, [&](std::string_view key, std::string_view value) {
      auto token = storage::decode_value<accounts::token_record>(value);
      if (shredded(value) || (token && members.count(token->user_id)))
        out.erase(column_family::tokens, std::string{key});
    });
  }

  void meetings_family() {
    // 'g' guest passes sort before the 'h' and 'm' keys that name the meetings: two passes.
    scan(db, column_family::meetings, [&](std::string_view key, std::string_view value) {
      const auto t = tag(key);
      if (t == 'h' && member(storage::read_u64(key, 1))) {
        if (auto id = storage::read_u64(key, 9))
          meetings.insert(*id);
      } else if (t == 'm') {
        auto record = storage::decode_stored<meetings::meeting_record>(db, value);
        if (shredded(value) || (record && members.count(record->host_id)))
          meetings.insert(storage::read_u64(key, 1).value_or(0));
      }
    });
    scan(db, column_family::meetings, [&](std::string_view key, std::string_view value) {
      const auto t = tag(key);
      bool erase = shredded(value);
      if (t == 'h' || t == 'u')
        erase = erase || member(storage::read_u64(key, 1));
      else if (t == 'p')
        erase = erase || member(storage::read_u64(value));
      else if (t == 'm' || t == 'l')
        erase = erase || meetings.count(storage::read_u64(key, 1).value_or(0));
      else if (t == 'g')
        if (auto guest = storage::decode_stored<meetings::guest_record>(db, value))
          erase = erase || meetings.count(guest->meeting_id);
      if (erase)
        out.erase(column_family::meetings, std::string{key});
    });
  }

  void messages_family() {
    scan(db, column_family::messages, [&](std::string_view key, std::string_view value) {
      if (tag(key) != 'C')
        return;
      auto record = storage::decode_stored<messaging::conversation_record>(db, value);
      if (record && !record->members.empty()
          && std::all_of(record->members.begin(), record->members.end(),
                         [&](uint64_t m) { return members.count(m) != 0; }))
        conversations.insert(record->id);
    });
    auto dead = [&](std::optional<uint64_t> id) { return id && conversations.count(*id); };
    scan(db, column_family::messages, [&](std::string_view key, std::string_view value) {
      const auto t = tag(key);
      bool erase = false;
      if (t == 0 && key.size() == 16) // meeting chat: meeting_id | seq
        erase = meetings.count(storage::read_u64(key).value_or(0)) || shredded(value);
      else if (t == 'C' || t == 'c' || t == 'i')
        // A message of a member in a conversation that goes on stays as a deleted entry, as
        // when one user is deleted; the key that read it is gone either way.
        erase = dead(storage::read_u64(key, 1));
      else if (t == 'd')
        erase = dead(storage::decode_value<uint64_t>(value));
      else if (t == 'a')
        erase = member(storage::read_u64(key, 1)) || dead(storage::read_u64(key, 17));
      else if (t == 'r')
        erase = member(storage::read_u64(key, 1)) || dead(storage::read_u64(key, 9));
      if (erase)
        out.erase(column_family::messages, std::string{key});
    });
  }

  void files_family() {
    scan(db, column_family::files, [&](std::string_view key, std::string_view value) {
      if (tag(key) != 'I')
        return;
      auto record = storage::decode_stored<messaging::image_record>(db, value);
      if (shredded(value) || (record && (conversations.count(record->conversation) || members.count(record->uploader))))
        images.insert(storage::read_u64(key, 1).value_or(0));
    });
    scan(db, column_family::files, [&](std::string_view key, std::string_view value) {
      const auto t = tag(key);
      if (shredded(value) || ((t == 'I' || t == 'i') && images.count(storage::read_u64(key, 1).value_or(0))))
        out.erase(column_family::files, std::string{key});
    });
  }

  void metering_family(uint64_t org_id) {
    scan(db, column_family::metering, [&](std::string_view key, std::string_view) {
      const auto t = tag(key);
      bool erase = false;
      if (t == 'd' || t == 'l')
        erase = storage::read_u64(key, 1) == org_id;
      else if (t == 'p')
        erase = meetings.count(storage::read_u64(key, 1).value_or(0)) != 0;
      if (erase)
        out.erase(column_family::metering, std::string{key});
    });
  }
};

std::string deletion_key(uint64_t org_id) {
  return storage::key_builder{}.bytes(deletion_prefix).u64(org_id).str();
}

} // namespace

void mark_organisation_deletion(storage::write_set& writes, uint64_t org_id, const std::vector<uint64_t>& members) {
  writes.put(column_family::meta, deletion_key(org_id), storage::encode_value(members));
}

bool organisation_being_deleted(const storage::database& db, uint64_t org_id) {
  return db.get(column_family::meta, deletion_key(org_id)).has_value();
}

std::vector<uint64_t> members_marked_for_deletion(const storage::database& db, uint64_t org_id) {
  auto value = db.get(column_family::meta, deletion_key(org_id));
  auto members = value ? storage::decode_value<std::vector<uint64_t>>(*value) : std::nullopt;
  return members ? std::move(*members) : std::vector<uint64_t>{};
}

std::string destroy_organisation_keys(storage::database& db, uint64_t org_id, const std::vector<uint64_t>& members) {
  if (auto* ring = db.key_ring())
    for (auto owner : organisation_key_owners(org_id, members))
      if (!ring->destroyed(owner))
        if (auto status = ring->destroy(owner); !status.ok())
          return "the organisation's data keys could not be destroyed: " + status.ToString();
  return {};
}

std::vector<uint64_t> organisation_key_owners(uint64_t org_id, const std::vector<uint64_t>& members) {
  std::vector<uint64_t> owners{storage::org_owner(org_id)};
  for (auto user : members)
    owners.push_back(storage::user_owner(user));
  return owners;
}

std::string erase_organisation(storage::database& db, uint64_t org_id, std::vector<uint64_t> members) {
  if (org_id == accounts::default_org_id)
    return "the default organisation cannot be deleted";
  // Members who joined while the deletion was marked (a creation racing it) go too.
  for (const auto& u : accounts::account_repository{db}.list_users())
    if (u.org_id == org_id && std::find(members.begin(), members.end(), u.id) == members.end())
      members.push_back(u.id);
  if (auto error = destroy_organisation_keys(db, org_id, members); !error.empty())
    return error;
  const auto owners = organisation_key_owners(org_id, members);
  erasure e{db, eraser{db}, {members.begin(), members.end()}, {owners.begin(), owners.end()}, {}, {}, {}};
  e.accounts_family();
  e.tokens_family();
  e.meetings_family();
  e.messages_family();
  e.files_family();
  e.metering_family(org_id);
  e.out.flush();
  if (!e.out.error().empty())
    return "the organisation's records could not all be erased: " + e.out.error();
  storage::write_set last;
  accounts::organisation_repository::erase(last, org_id);
  last.erase(column_family::meta, deletion_key(org_id));
  if (auto status = db.write_synced(last); !status.ok())
    return "the organisation record could not be erased: " + status.ToString();
  return {};
}

std::string finish_organisation_deletions(storage::database& db) {
  std::vector<std::pair<uint64_t, std::vector<uint64_t>>> marked;
  {
    std::unique_ptr<rocksdb::Iterator> it{db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(column_family::meta))};
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const auto key = it->key().ToStringView();
      if (!key.starts_with(deletion_prefix))
        continue;
      auto id = storage::read_u64(key, deletion_prefix.size());
      auto members = storage::decode_value<std::vector<uint64_t>>(it->value().ToStringView());
      if (id && members)
        marked.emplace_back(*id, std::move(*members));
    }
  }
  telemetry::logger("accounts")->info("{} organisation deletion(s) to finish", marked.size());
  for (auto& [id, members] : marked)
    if (auto error = erase_organisation(db, id, std::move(members)); !error.empty())
      return error;
  return {};
}

} // namespace parley::actors
