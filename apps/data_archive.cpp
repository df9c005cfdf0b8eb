// Archives: records go out as JSON (msgpack maps converted by nlohmann) and come back byte-identical.
#include "apps/data_archive.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>
#include <rocksdb/db.h>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "accounts/organisation_repository.hpp"
#include "audit/audit_chain.hpp"
#include "audit/audit_repository.hpp"
#include "meetings/meeting_repository.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/sealed_value.hpp"
#include "storage/value_codec.hpp"

namespace parley::apps {

namespace {

using nlohmann::json;
constexpr const char* format_name = "parley-export";
constexpr int format_version = 1;

template <class T>
json to_json(const T& record) {
  auto bytes = storage::encode_value(record);
  return json::from_msgpack(bytes);
}

template <class T>
std::optional<T> from_json(const json& value) {
  auto bytes = json::to_msgpack(value);
  return storage::decode_value<T>(std::string_view{reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

std::string chat_prefix(uint64_t meeting_id) {
  return storage::key_builder{}.u64(meeting_id).str();
}

/// Appends an audit entry from a process that owns the database (the CLI on a stopped node).
void audit_offline(storage::database& db, storage::write_set& writes, uint64_t org_id, std::string kind,
                   std::string detail) {
  audit::audit_repository repository{db};
  auto last = repository.last();
  audit::audit_event event;
  event.seq = last ? last->seq + 1 : 1;
  event.at_ms = accounts::unix_now() * 1000;
  event.kind = std::move(kind);
  event.actor_name = "parley (command line)";
  event.org_id = org_id;
  event.detail = std::move(detail);
  audit::seal(event, last ? last->hash : audit::genesis_hash());
  audit::audit_repository::put(writes, event);
}

std::vector<json> read_lines(const std::filesystem::path& file, std::string& error) {
  std::vector<json> out;
  std::ifstream in(file);
  if (!in) {
    error = "cannot read " + file.string();
    return out;
  }
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty())
      continue;
    auto value = json::parse(line, nullptr, false);
    if (value.is_discarded() || !value.is_object()) {
      error = file.string() + " line " + std::to_string(number) + " is not a JSON object";
      return out;
    }
    out.push_back(std::move(value));
  }
  return out;
}

} // namespace

std::string export_archive(storage::database& db, const export_request& request, archive_counts& counts) {
  namespace fs = std::filesystem;
  accounts::account_repository users{db};
  accounts::organisation_repository orgs{db};
  std::vector<accounts::user_record> selected;
  std::optional<accounts::org_record> org;
  if (!request.username.empty()) {
    auto normalized = accounts::normalize_username(request.username);
    auto user = normalized ? users.find_by_username(*normalized) : std::nullopt;
    if (!user)
      return "no user named " + request.username;
    selected.push_back(*user);
  } else {
    org = orgs.find(request.org_id);
    if (!org)
      return "no organisation " + accounts::id_to_hex(request.org_id);
    for (auto& u : users.list_users())
      if (u.org_id == request.org_id)
        selected.push_back(std::move(u));
  }
  std::error_code ec;
  fs::path out{request.out_dir};
  if (fs::exists(out, ec) && !fs::is_empty(out, ec))
    return "the export folder " + request.out_dir + " is not empty";
  fs::create_directories(out / "attachments", ec);
  if (ec)
    return "cannot create " + request.out_dir + ": " + ec.message();

  std::ofstream users_file(out / "users.jsonl"), meetings_file(out / "meetings.jsonl"), chat_file(out / "chat.jsonl");
  meetings::meeting_repository meetings{db};
  for (const auto& user : selected) {
    users_file << to_json(user).dump() << '\n';
    ++counts.users;
    for (const auto& meeting : meetings.list_by_host(user.id, SIZE_MAX)) {
      meetings_file << to_json(meeting).dump() << '\n';
      ++counts.meetings;
      const auto prefix = chat_prefix(meeting.id);
      std::unique_ptr<rocksdb::Iterator> it{
        db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(storage::column_family::messages))};
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        auto record = storage::decode_stored<meetings::chat_record>(db, it->value().ToStringView());
        if (!record)
          continue;
        chat_file << json{{"meeting_id", accounts::id_to_hex(meeting.id)}, {"message", to_json(*record)}}.dump()
                  << '\n';
        ++counts.messages;
      }
    }
  }
  if (org)
    std::ofstream(out / "organisation.json") << to_json(*org).dump(2) << '\n';
  json manifest{{"format", format_name},
                {"version", format_version},
                {"kind", org ? "organisation" : "user"},
                {"exported_at", accounts::unix_now()},
                {"users", counts.users},
                {"meetings", counts.meetings},
                {"messages", counts.messages},
                {"attachments", 0}};
  std::ofstream(out / "manifest.json") << manifest.dump(2) << '\n';
  if (!users_file || !meetings_file || !chat_file)
    return "cannot write the export files in " + request.out_dir;
  storage::write_set writes;
  audit_offline(db, writes, org ? org->id : selected.front().org_id, "data.export",
                (org ? "organisation " + accounts::id_to_hex(org->id) : "user " + request.username) + ": "
                  + manifest.dump());
  if (auto status = db.write_synced(writes); !status.ok())
    return "exported, but the audit entry could not be written: " + status.ToString();
  return {};
}

std::string import_archive(storage::database& db, const std::string& in_dir, archive_counts& counts) {
  namespace fs = std::filesystem;
  fs::path in{in_dir};
  std::ifstream manifest_file(in / "manifest.json");
  auto manifest = json::parse(manifest_file, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() || manifest.value("format", "") != format_name)
    return in_dir + " is not a Parley export (manifest.json missing or of another format)";
  if (manifest.value("version", 0) != format_version)
    return "this build imports export format version " + std::to_string(format_version);
  std::string error;
  auto user_lines = read_lines(in / "users.jsonl", error);
  auto meeting_lines = error.empty() ? read_lines(in / "meetings.jsonl", error) : std::vector<json>{};
  auto chat_lines = error.empty() ? read_lines(in / "chat.jsonl", error) : std::vector<json>{};
  if (!error.empty())
    return error;

  storage::write_set writes;
  accounts::account_repository users{db};
  accounts::organisation_repository orgs{db};
  meetings::meeting_repository meetings{db};
  uint64_t org_id = accounts::default_org_id;
  if (manifest.value("kind", "") == "organisation") {
    std::ifstream org_file(in / "organisation.json");
    auto org_json = json::parse(org_file, nullptr, false);
    auto org = org_json.is_discarded() ? std::nullopt : from_json<accounts::org_record>(org_json);
    if (!org || org->id == 0)
      return "organisation.json is missing or malformed";
    if (!orgs.find(org->id))
      accounts::organisation_repository::put(writes, *org);
    org_id = org->id;
  }
  std::set<std::string> names;
  for (const auto& line : user_lines) {
    auto user = from_json<accounts::user_record>(line);
    auto normalized = user ? accounts::normalize_username(user->username) : std::nullopt;
    if (!user || user->id == 0 || !normalized)
      return "users.jsonl holds a malformed user";
    if (users.find_by_id(user->id) || users.find_by_username(*normalized) || !names.insert(*normalized).second)
      return "the user " + user->username + " (or its id) already exists here; nothing was imported";
    user->org_id = org_id;
    accounts::account_repository::add_user(writes, *user);
    ++counts.users;
  }
  for (const auto& line : meeting_lines) {
    auto meeting = from_json<meetings::meeting_record>(line);
    if (!meeting || meeting->id == 0)
      return "meetings.jsonl holds a malformed meeting";
    if (meetings.find(meeting->id))
      return "meeting " + std::to_string(meeting->id) + " already exists here; nothing was imported";
    meetings::meeting_repository::put(writes, *meeting);
    ++counts.meetings;
  }
  for (const auto& line : chat_lines) {
    uint64_t meeting_id = 0;
    auto message = line.contains("message") ? from_json<meetings::chat_record>(line["message"]) : std::nullopt;
    if (!line.contains("meeting_id") || !line["meeting_id"].is_string()
        || !accounts::id_from_hex(line["meeting_id"].get<std::string>(), meeting_id) || !message)
      return "chat.jsonl holds a malformed message";
    meetings::meeting_repository::add_chat(writes, meeting_id, *message);
    ++counts.messages;
  }
  audit_offline(db, writes, org_id, "data.import",
                in_dir + ": " + std::to_string(counts.users) + " users, " + std::to_string(counts.meetings)
                  + " meetings, " + std::to_string(counts.messages) + " messages");
  if (auto status = db.write_synced(writes); !status.ok())
    return "the import could not be written (nothing was imported): " + status.ToString();
  return {};
}

} // namespace parley::apps
