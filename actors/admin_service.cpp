// Admin routes: authenticate, require an administrator of the organisation, act, audit, reply.
#include "actors/admin_service.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <sstream>
#include <type_traits>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <rocksdb/db.h>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "accounts/organisation_repository.hpp"
#include "actors/accounts_messages.hpp"
#include "actors/admin_messages.hpp"
#include "actors/audit_messages.hpp"
#include "actors/account_closing_messages.hpp"
#include "actors/organisation_erasure.hpp"
#include "actors/password_worker.hpp"
#include "actors/service_error.hpp"
#include "actors/supervisor.hpp"
#include "audit/audit_repository.hpp"
#include "metering/usage_journal.hpp"
#include "storage/data_key_ring.hpp"
#include "storage/data_owner.hpp"
#include "storage/database.hpp"
#include "storage/store_messages.hpp"
#include "storage/value_codec.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using nlohmann::json;
using protocol::error_code;
constexpr auto worker_timeout = std::chrono::seconds{30};
constexpr auto store_timeout = std::chrono::seconds{30};
constexpr auto audit_timeout = std::chrono::seconds{10};

struct admin_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  caf::actor workers;
  static inline const char* name = "parley.admin";
};

using admin_actor = caf::stateful_actor<admin_state>;
using reply_promise = caf::typed_response_promise<admin_reply>;

admin_reply json_reply(uint16_t status, const json& body) {
  return admin_reply{status, "application/json", body.dump()};
}

admin_reply error_reply(error_code code, std::string_view message) {
  return json_reply(static_cast<uint16_t>(protocol::http_status(code)),
                    json{{"error", {{"code", protocol::to_string(code)}, {"message", message}}}});
}

admin_reply no_content() {
  return admin_reply{204, "", ""};
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

json user_json(const accounts::user_record& u) {
  return json{{"id", accounts::id_to_hex(u.id)}, {"username", u.username}, {"display_name", u.display_name},
              {"is_admin", u.is_admin}, {"disabled", u.disabled}, {"org_id", accounts::id_to_hex(u.org_id)},
              {"created_at", u.created_at}, {"service_account", u.is_service},
              {"failed_logins", u.failed_logins}, {"locked_until", u.locked_until}, {"mfa_enabled", u.mfa_enabled},
              {"must_change_password", u.must_change_password}, {"phone_verified", u.phone_verified}};
}

json policy_json(const accounts::org_security_policy& p) {
  return json{{"password_min_length", p.password_min_length},
              {"password_min_classes", p.password_min_classes},
              {"password_max_age_days", p.password_max_age_days},
              {"password_history", p.password_history},
              {"lockout_threshold", p.lockout_threshold},
              {"lockout_seconds", p.lockout_seconds},
              {"require_mfa", p.require_mfa}};
}

/// Sets one policy field from JSON; nullopt if `key` is not a policy field, else "" or the problem.
std::optional<std::string> set_policy_field(accounts::org_security_policy& p, const std::string& key,
                                            const json& value) {
  if (key == "require_mfa") {
    if (!value.is_boolean())
      return std::string{"require_mfa must be a boolean"};
    p.require_mfa = value.get<bool>();
    return std::string{};
  }
  uint32_t* field = key == "password_min_length"     ? &p.password_min_length
                    : key == "password_min_classes"  ? &p.password_min_classes
                    : key == "password_max_age_days" ? &p.password_max_age_days
                    : key == "password_history"      ? &p.password_history
                    : key == "lockout_threshold"     ? &p.lockout_threshold
                    : key == "lockout_seconds"       ? &p.lockout_seconds
                                                     : nullptr;
  if (!field)
    return std::nullopt;
  if (!value.is_number_unsigned() || value.get<uint64_t>() > 1000000)
    return key + " must be a non-negative integer";
  *field = static_cast<uint32_t>(value.get<uint64_t>());
  return std::string{};
}

json org_json(const accounts::org_record& o, const accounts::org_security_policy& defaults) {
  const auto& s = o.settings;
  auto settings = policy_json(s.effective_policy(defaults));
  settings["tier"] = s.tier;
  settings["custom_policy"] = s.custom_policy;
  return json{{"id", accounts::id_to_hex(o.id)},
              {"name", o.name},
              {"created_at", o.created_at},
              {"max_participants", accounts::tier_cap(s.tier).value_or(0)},
              {"settings", settings}};
}

json audit_json(const audit::audit_event& e) {
  return json{{"seq", e.seq},         {"at_ms", e.at_ms},
              {"kind", e.kind},       {"actor_id", accounts::id_to_hex(e.actor_id)},
              {"actor_name", e.actor_name}, {"org_id", accounts::id_to_hex(e.org_id)},
              {"target", e.target},   {"detail", e.detail},
              {"address", e.address}, {"prev_hash", hex(e.prev_hash)},
              {"hash", hex(e.hash)}};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// Nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size())
        return std::nullopt;
      auto hi = hex_digit(text[i + 1]), lo = hex_digit(text[i + 2]);
      if (hi < 0 || lo < 0)
        return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

/// The query parameters; nullopt for a malformed escape.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> result;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty()) {
      auto key = percent_decode(pair.substr(0, eq));
      auto value = eq == std::string_view::npos ? std::optional<std::string>{""} : percent_decode(pair.substr(eq + 1));
      if (!key || !value)
        return std::nullopt;
      result[*key] = *value;
    }
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return result;
}

std::optional<int64_t> parse_int(const std::string& text) {
  if (text.empty() || text.size() > 18)
    return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    auto slash = path.find('/');
    if (slash != 0)
      parts.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos)
      break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

/// One request being served: who asks, and how to answer (after auditing, when there is an event).
struct call {
  admin_actor* self;
  reply_promise rp;
  admin_request req;
  accounts::user_record admin;

  audit::audit_event event(std::string kind, std::string target, std::string detail = {}) const {
    audit::audit_event e;
    e.kind = std::move(kind);
    e.actor_id = admin.id;
    e.actor_name = admin.username;
    e.org_id = admin.org_id;
    e.target = std::move(target);
    e.detail = std::move(detail);
    e.address = req.address;
    return e;
  }

  void answer(admin_reply reply) { rp.deliver(std::move(reply)); }

  /// Appends `e` to the audit log, then answers: an answered admin action is always in the log.
  void answer_audited(audit::audit_event e, admin_reply reply) {
    auto log = lookup_service(self->system(), audit_service_name);
    if (!log) {
      telemetry::logger("admin")->error("audit log unavailable; refusing to confirm {}", e.kind);
      rp.deliver(error_reply(error_code::unavailable, "the audit log is restarting; the change was made but "
                                                      "could not be audited yet; check and retry"));
      return;
    }
    auto promise = rp;
    self->request(log, audit_timeout, audit_append_atom::value, std::move(e))
      .then([promise, reply](uint64_t) mutable { promise.deliver(reply); },
            [promise](caf::error&) mutable {
              promise.deliver(error_reply(error_code::unavailable, "the change was made but could not be audited"));
            });
  }

  /// Writes durably, then audits and answers; on failure answers the storage error.
  void commit(storage::write_set writes, audit::audit_event e, admin_reply reply) {
    auto st_store = self->state.store;
    auto copy = *this;
    self->request(st_store, store_timeout, storage::write_atom::value, std::move(writes))
      .then([copy, e, reply](caf::ok_atom) mutable { copy.answer_audited(std::move(e), std::move(reply)); },
            [copy](caf::error& err) mutable {
              auto client = to_client_error(err);
              copy.answer(error_reply(client.code, client.message));
            });
  }
};

/// The member `name` of `object`, or `fallback` if absent.
json field(const json& object, const char* name, json fallback) {
  auto it = object.find(name);
  return it == object.end() ? fallback : *it;
}

std::optional<json> body_object(call& c) {
  auto parsed = json::parse(c.req.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    c.answer(error_reply(error_code::bad_request, "the body must be a JSON object"));
    return std::nullopt;
  }
  return parsed;
}

// --- users ---------------------------------------------------------------------------------

/// The user named in the path, of the admin's organisation; answers not_found otherwise.
std::optional<accounts::user_record> target_user(call& c, const std::string& hex_id) {
  uint64_t id = 0;
  std::optional<accounts::user_record> user;
  if (accounts::id_from_hex(hex_id, id))
    user = accounts::account_repository{*c.self->state.ctx->db}.find_by_id(id);
  if (!user || user->org_id != c.admin.org_id) {
    c.answer(error_reply(error_code::not_found, "no such user"));
    return std::nullopt;
  }
  return user;
}

/// Revokes every sign-in token of `user_id`: a full scan of the tokens family, off the scheduler.
void revoke_tokens(admin_actor* self, uint64_t user_id) {
  self->spawn<caf::detached>(
    [](caf::event_based_actor* worker, std::shared_ptr<storage::database> db, caf::actor store, uint64_t user) {
      storage::write_set writes;
      std::unique_ptr<rocksdb::Iterator> it{
        db->raw().NewIterator(rocksdb::ReadOptions{}, db->handle(storage::column_family::tokens))};
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto token = storage::decode_value<accounts::token_record>(it->value().ToStringView());
        if (token && token->user_id == user)
          writes.erase(storage::column_family::tokens, it->key().ToString());
      }
      if (!writes.ops.empty())
        worker->send(store, storage::write_atom::value, std::move(writes));
      worker->quit();
    },
    self->state.ctx->db, self->state.store, user_id);
}

void list_users(call& c) {
  json users = json::array();
  for (const auto& u : accounts::account_repository{*c.self->state.ctx->db}.list_users())
    if (u.org_id == c.admin.org_id)
      users.push_back(user_json(u));
  c.answer(json_reply(200, json{{"users", users}}));
}

void create_user(call& c) {
  auto body = body_object(c);
  if (!body)
    return;
  auto& st = c.self->state;
  auto username = field(*body, "username", json());
  auto password = field(*body, "password", json());
  auto display = field(*body, "display_name", json(""));
  auto is_admin = field(*body, "is_admin", json(false));
  if (!username.is_string() || !password.is_string() || !display.is_string() || !is_admin.is_boolean())
    return c.answer(error_reply(error_code::bad_request, "username and password (strings) are required; "
                                                         "display_name (string) and is_admin (boolean) are optional"));
  auto normalized = accounts::normalize_username(username.get<std::string>());
  if (!normalized)
    return c.answer(
      error_reply(error_code::bad_request, "username must be 3-32 characters of letters, digits, '.', '_' or '-'"));
  if (display.get<std::string>().size() > 64)
    return c.answer(error_reply(error_code::bad_request, "display_name must be at most 64 bytes"));
  auto org = accounts::organisation_repository{*st.ctx->db}.find(c.admin.org_id);
  auto policy = org ? org->settings.effective_policy(st.ctx->accounts.org_defaults) : st.ctx->accounts.org_defaults;
  if (auto problem = policy.password_rules().check(password.get<std::string>()))
    return c.answer(error_reply(error_code::weak_password, *problem));
  if (accounts::account_repository{*st.ctx->db}.find_by_username(*normalized))
    return c.answer(error_reply(error_code::conflict, "that username is taken"));
  accounts::user_record user;
  user.id = accounts::random_id();
  user.username = username.get<std::string>();
  user.display_name = display.get<std::string>().empty() ? user.username : display.get<std::string>();
  user.created_at = accounts::unix_now();
  user.is_admin = is_admin.get<bool>();
  user.org_id = c.admin.org_id;
  user.password_changed_at = user.created_at;
  auto copy = c;
  c.self->request(st.workers, worker_timeout, hash_atom::value, password.get<std::string>())
    .then(
      [copy, user](const std::string& hash) mutable {
        user.password_hash = hash;
        storage::write_set writes;
        accounts::account_repository::add_user(writes, user);
        copy.commit(std::move(writes),
                    copy.event("user.create", accounts::id_to_hex(user.id),
                               user.username + (user.is_admin ? " (administrator)" : "")),
                    json_reply(201, json{{"user", user_json(user)}}));
      },
      [copy](caf::error& err) mutable {
        auto client = to_client_error(err);
        copy.answer(error_reply(client.code, client.message));
      });
}

/// Asks the accounts actor, the one writer of user records, to make `change` (so it cannot
/// overwrite a change the user is making at the same moment, nor be overwritten by it), then
/// audits and answers `reply`, or the user's record as it is now.
void change_user(call& c, const accounts::user_record& user, std::string action, std::string kind, std::string detail,
                 std::optional<admin_reply> reply = std::nullopt) {
  auto accounts_service = lookup_service(c.self->system(), accounts_service_name);
  if (!accounts_service)
    return c.answer(error_reply(error_code::unavailable, "the accounts service is restarting; try again"));
  auto copy = c;
  c.self->request(accounts_service, store_timeout, user_change_atom::value, user_change{user.id, user.org_id, std::move(action)})
    .then(
      [copy, id = user.id, kind, detail, reply](caf::ok_atom) mutable {
        auto now = accounts::account_repository{*copy.self->state.ctx->db}.find_by_id(id);
        auto answer = reply ? *reply
                      : now ? json_reply(200, json{{"user", user_json(*now)}})
                            : error_reply(error_code::not_found, "no such user");
        copy.answer_audited(copy.event(std::move(kind), accounts::id_to_hex(id), std::move(detail)), std::move(answer));
      },
      [copy](caf::error& err) mutable {
        auto client = to_client_error(err);
        copy.answer(error_reply(client.code, client.message));
      });
}

void user_action(call& c, const std::string& id, const std::string& action) {
  auto user = target_user(c, id);
  if (!user)
    return;
  const bool self_target = user->id == c.admin.id;
  if (action == "disable" || action == "enable") {
    if (self_target)
      return c.answer(error_reply(error_code::conflict, "administrators cannot disable themselves"));
    if (action == "disable")
      revoke_tokens(c.self, user->id);
    return change_user(c, *user, action, "user." + action, user->username);
  }
  if (action == "role") {
    auto body = body_object(c);
    if (!body)
      return;
    auto flag = field(*body, "is_admin", json());
    if (!flag.is_boolean())
      return c.answer(error_reply(error_code::bad_request, "is_admin (boolean) is required"));
    if (self_target && !flag.get<bool>())
      return c.answer(error_reply(error_code::conflict, "administrators cannot remove their own rights"));
    const bool make_admin = flag.get<bool>();
    return change_user(c, *user, make_admin ? "make_admin" : "revoke_admin", "user.role",
                       user->username + (make_admin ? " is now" : " is no longer") + " an administrator");
  }
  if (action == "unlock") {
    auto accounts_service = lookup_service(c.self->system(), accounts_service_name);
    if (!accounts_service)
      return c.answer(error_reply(error_code::unavailable, "the accounts service is restarting; try again"));
    auto copy = c;
    auto name = accounts::normalize_username(user->username).value_or(user->username);
    c.self->request(accounts_service, store_timeout, unlock_atom::value, name)
      .then(
        [copy, u = *user](caf::ok_atom) mutable {
          // The accounts service cleared the lock: answer with the record as it is now.
          auto now = accounts::account_repository{*copy.self->state.ctx->db}.find_by_id(u.id).value_or(u);
          copy.answer_audited(copy.event("user.unlock", accounts::id_to_hex(u.id), u.username),
                              json_reply(200, json{{"user", user_json(now)}}));
        },
        [copy](caf::error& err) mutable {
          auto client = to_client_error(err);
          copy.answer(error_reply(client.code, client.message));
        });
    return;
  }
  c.answer(error_reply(error_code::not_found, "no such user action: " + action));
}

void delete_user(call& c, const std::string& id) {
  auto user = target_user(c, id);
  if (!user)
    return;
  if (user->id == c.admin.id)
    return c.answer(error_reply(error_code::conflict, "administrators cannot delete themselves"));
  revoke_tokens(c.self, user->id);
  change_user(c, *user, "delete", "user.delete", user->username, no_content());
}

// --- organisation --------------------------------------------------------------------------

void get_org(call& c) {
  auto org = accounts::organisation_repository{*c.self->state.ctx->db}.find(c.admin.org_id);
  if (!org)
    return c.answer(error_reply(error_code::not_found, "the organisation does not exist"));
  c.answer(json_reply(200, json{{"organisation", org_json(*org, c.self->state.ctx->accounts.org_defaults)}}));
}

void update_org(call& c) {
  auto body = body_object(c);
  if (!body)
    return;
  const auto& defaults = c.self->state.ctx->accounts.org_defaults;
  auto org = accounts::organisation_repository{*c.self->state.ctx->db}.find(c.admin.org_id);
  if (!org)
    return c.answer(error_reply(error_code::not_found, "the organisation does not exist"));
  if (auto it = body->find("name"); it != body->end()) {
    if (!it->is_string() || it->get<std::string>().empty() || it->get<std::string>().size() > 128)
      return c.answer(error_reply(error_code::bad_request, "name must be a string of 1-128 bytes"));
    org->name = it->get<std::string>();
  }
  if (auto it = body->find("settings"); it != body->end()) {
    if (!it->is_object())
      return c.answer(error_reply(error_code::bad_request, "settings must be an object"));
    auto& s = org->settings;
    auto policy = s.effective_policy(defaults);
    bool policy_changed = false;
    for (const auto& [key, value] : it->items()) {
      if (key == "tier") {
        if (!value.is_string() || !accounts::tier_cap(value.get<std::string>()))
          return c.answer(
            error_reply(error_code::bad_request, "settings.tier must be one of basic, pro, business, enterprise"));
        s.tier = value.get<std::string>();
        continue;
      }
      auto problem = set_policy_field(policy, key, value);
      if (!problem)
        return c.answer(error_reply(error_code::bad_request, "unknown setting: " + key));
      if (!problem->empty())
        return c.answer(error_reply(error_code::bad_request, "settings." + *problem));
      policy_changed = true;
    }
    if (policy_changed) {
      if (auto problem = policy.validate())
        return c.answer(error_reply(error_code::bad_request, "settings." + *problem));
      s.policy = policy;
      s.custom_policy = true;
    }
  }
  storage::write_set writes;
  accounts::organisation_repository::put(writes, *org);
  auto answer = org_json(*org, defaults);
  c.commit(std::move(writes), c.event("org.update", accounts::id_to_hex(org->id), answer["settings"].dump()),
           json_reply(200, json{{"organisation", answer}}));
}

// The sign-in policy alone (the same settings as above): GET, and PUT of a partial policy.
void get_policy(call& c) {
  const auto& defaults = c.self->state.ctx->accounts.org_defaults;
  auto org = accounts::organisation_repository{*c.self->state.ctx->db}.find(c.admin.org_id);
  c.answer(json_reply(200, policy_json(org ? org->settings.effective_policy(defaults) : defaults)));
}

void update_policy(call& c) {
  auto body = body_object(c);
  if (!body)
    return;
  const auto& defaults = c.self->state.ctx->accounts.org_defaults;
  auto org = accounts::organisation_repository{*c.self->state.ctx->db}.find(c.admin.org_id);
  if (!org)
    return c.answer(error_reply(error_code::not_found, "the organisation does not exist"));
  auto policy = org->settings.effective_policy(defaults);
  for (const auto& [key, value] : body->items()) {
    auto problem = set_policy_field(policy, key, value);
    if (!problem)
      return c.answer(error_reply(error_code::bad_request, "unknown policy field: " + key));
    if (!problem->empty())
      return c.answer(error_reply(error_code::bad_request, *problem));
  }
  if (auto problem = policy.validate())
    return c.answer(error_reply(error_code::bad_request, *problem));
  org->settings.policy = policy;
  org->settings.custom_policy = true;
  storage::write_set writes;
  accounts::organisation_repository::put(writes, *org);
  c.commit(std::move(writes), c.event("org.update", accounts::id_to_hex(org->id), policy_json(policy).dump()),
           json_reply(200, policy_json(policy)));
}

// --- organisations (server operators) ----------------------------------------------------

/// Server operators are the administrators of the default organisation (the organisation of the
/// bootstrap admin, the one that runs the server): they alone create, rename and delete
/// organisations. Answers forbidden for anyone else.
bool operator_or_answer(call& c) {
  if (c.admin.org_id == accounts::default_org_id)
    return true;
  c.answer(error_reply(error_code::forbidden,
                       "server operator rights are required (an administrator of the default organisation)"));
  return false;
}

/// How many users each organisation has (one scan of the users).
std::map<uint64_t, size_t> users_per_org(const call& c) {
  std::map<uint64_t, size_t> counts;
  for (const auto& u : accounts::account_repository{*c.self->state.ctx->db}.list_users())
    ++counts[u.org_id];
  return counts;
}

json operated_org_json(const call& c, const accounts::org_record& org,
                       std::optional<std::map<uint64_t, size_t>> counts = std::nullopt) {
  auto out = org_json(org, c.self->state.ctx->accounts.org_defaults);
  if (!counts)
    counts = users_per_org(c);
  auto it = counts->find(org.id);
  out["users"] = it == counts->end() ? 0 : it->second;
  out["deleting"] = organisation_being_deleted(*c.self->state.ctx->db, org.id);
  return out;
}

/// The organisation named in the path; answers not_found otherwise.
std::optional<accounts::org_record> target_org(call& c, const std::string& hex_id) {
  uint64_t id = 0;
  std::optional<accounts::org_record> org;
  if (accounts::id_from_hex(hex_id, id))
    org = accounts::organisation_repository{*c.self->state.ctx->db}.find(id);
  if (!org) {
    c.answer(error_reply(error_code::not_found, "no such organisation"));
    return std::nullopt;
  }
  return org;
}

std::optional<std::string> org_name_of(call& c, const json& value) {
  if (!value.is_string() || value.get<std::string>().empty() || value.get<std::string>().size() > 128) {
    c.answer(error_reply(error_code::bad_request, "name must be a string of 1-128 bytes"));
    return std::nullopt;
  }
  return value.get<std::string>();
}

void list_orgs(call& c) {
  json orgs = json::array();
  const auto counts = users_per_org(c);
  for (const auto& org : accounts::organisation_repository{*c.self->state.ctx->db}.list())
    orgs.push_back(operated_org_json(c, org, counts));
  c.answer(json_reply(200, json{{"organisations", orgs}}));
}

/// A new organisation: its own record, tier and (server-default) policy, its own data key, and
/// optionally its first administrator, all in one durable write.
void create_org(call& c) {
  auto body = body_object(c);
  if (!body)
    return;
  auto& st = c.self->state;
  auto name = org_name_of(c, field(*body, "name", json()));
  if (!name)
    return;
  auto tier = field(*body, "tier", json("basic"));
  if (!tier.is_string() || !accounts::tier_cap(tier.get<std::string>()))
    return c.answer(error_reply(error_code::bad_request, "tier must be one of basic, pro, business, enterprise"));
  auto admin = field(*body, "admin", json());
  std::optional<accounts::user_record> first_admin;
  std::string password;
  if (!admin.is_null()) {
    auto username = field(admin, "username", json());
    auto pass = field(admin, "password", json());
    auto display = field(admin, "display_name", json(""));
    if (!admin.is_object() || !username.is_string() || !pass.is_string() || !display.is_string())
      return c.answer(error_reply(error_code::bad_request, "admin must be {username, password, display_name?} "
                                                           "(strings)"));
    auto normalized = accounts::normalize_username(username.get<std::string>());
    if (!normalized)
      return c.answer(error_reply(error_code::bad_request,
                                  "admin.username must be 3-32 characters of letters, digits, '.', '_' or '-'"));
    if (display.get<std::string>().size() > 64)
      return c.answer(error_reply(error_code::bad_request, "admin.display_name must be at most 64 bytes"));
    // A new organisation follows the server's policy until its administrators choose their own.
    if (auto problem = st.ctx->accounts.org_defaults.password_rules().check(pass.get<std::string>()))
      return c.answer(error_reply(error_code::weak_password, *problem));
    // Usernames are unique on the server (a user signs in with the username alone and lands in
    // their organisation), so a new organisation's users cannot take an existing name.
    if (accounts::account_repository{*st.ctx->db}.find_by_username(*normalized))
      return c.answer(error_reply(error_code::conflict, "that username is taken"));
    accounts::user_record user;
    user.id = accounts::random_id();
    user.username = username.get<std::string>();
    user.display_name = display.get<std::string>().empty() ? user.username : display.get<std::string>();
    user.created_at = accounts::unix_now();
    user.password_changed_at = user.created_at;
    user.is_admin = true;
    first_admin = std::move(user);
    password = pass.get<std::string>();
  }
  accounts::organisation_repository orgs{*st.ctx->db};
  accounts::org_record org;
  do // ids stay below 2^62: storage::org_owner sets the top bit to tell organisations from users
    org.id = accounts::random_id() & ((uint64_t{1} << 62) - 1);
  while (org.id <= accounts::default_org_id || orgs.find(org.id));
  org.name = *name;
  org.created_at = accounts::unix_now();
  org.settings.tier = tier.get<std::string>();
  if (first_admin)
    first_admin->org_id = org.id;
  // Its own data key from the start (its guests' meeting chat is sealed under it).
  if (auto* ring = st.ctx->db->key_ring(); ring && ring->rotate(storage::org_owner(org.id)) == 0)
    return c.answer(error_reply(error_code::internal, "the organisation's data key could not be stored; retry"));
  auto finish = [org](call copy, std::optional<accounts::user_record> admin) {
    storage::write_set writes;
    accounts::organisation_repository::put(writes, org);
    auto reply = json{{"organisation", operated_org_json(copy, org)}};
    std::string detail = org.name + " (" + org.settings.tier + ")";
    if (admin) {
      accounts::account_repository::add_user(writes, *admin);
      reply["organisation"]["users"] = 1;
      reply["admin"] = user_json(*admin);
      detail += ", administrator " + admin->username;
    }
    copy.commit(std::move(writes), copy.event("org.create", accounts::id_to_hex(org.id), detail),
                json_reply(201, reply));
  };
  if (!first_admin)
    return finish(c, std::nullopt);
  auto copy = c;
  c.self->request(st.workers, worker_timeout, hash_atom::value, password)
    .then(
      [copy, finish, user = *first_admin](const std::string& hash) mutable {
        user.password_hash = hash;
        finish(copy, user);
      },
      [copy](caf::error& err) mutable {
        auto client = to_client_error(err);
        copy.answer(error_reply(client.code, client.message));
      });
}

void update_operated_org(call& c, const std::string& id) {
  auto org = target_org(c, id);
  if (!org)
    return;
  auto body = body_object(c);
  if (!body)
    return;
  if (organisation_being_deleted(*c.self->state.ctx->db, org->id))
    return c.answer(error_reply(error_code::conflict, "the organisation is being deleted"));
  std::string detail;
  for (const auto& [key, value] : body->items()) {
    if (key == "name") {
      auto name = org_name_of(c, value);
      if (!name)
        return;
      detail += "name: " + org->name + " -> " + *name + "; ";
      org->name = *name;
    } else if (key == "tier") {
      if (!value.is_string() || !accounts::tier_cap(value.get<std::string>()))
        return c.answer(error_reply(error_code::bad_request, "tier must be one of basic, pro, business, enterprise"));
      detail += "tier: " + org->settings.tier + " -> " + value.get<std::string>() + "; ";
      org->settings.tier = value.get<std::string>();
    } else {
      return c.answer(error_reply(error_code::bad_request, "only name and tier can be changed here, not " + key));
    }
  }
  storage::write_set writes;
  accounts::organisation_repository::put(writes, *org);
  c.commit(std::move(writes), c.event("org.rename", accounts::id_to_hex(org->id), detail),
           json_reply(200, json{{"organisation", operated_org_json(c, *org)}}));
}

/// Asks the accounts actor (the one writer of user records) to delete the organisation: its keys
/// first, then its members, then everything else it holds.
void delete_operated_org(call& c, const std::string& id) {
  auto org = target_org(c, id);
  if (!org)
    return;
  if (org->id == accounts::default_org_id)
    return c.answer(error_reply(error_code::forbidden, "the default organisation cannot be deleted"));
  auto accounts_service = lookup_service(c.self->system(), accounts_service_name);
  if (!accounts_service)
    return c.answer(error_reply(error_code::unavailable, "the accounts service is restarting; try again"));
  auto copy = c;
  auto detail = org->name + ", " + operated_org_json(c, *org)["users"].dump() + " users";
  c.self->request(accounts_service, caf::infinite, org_delete_atom::value, org->id, c.admin.id)
    .then(
      [copy, id = org->id, detail](caf::ok_atom) mutable {
        copy.answer_audited(copy.event("org.delete", accounts::id_to_hex(id), detail), no_content());
      },
      [copy](caf::error& err) mutable {
        auto client = to_client_error(err);
        copy.answer(error_reply(client.code, client.message));
      });
}

// --- usage ---------------------------------------------------------------------------------

void usage(call& c, const std::map<std::string, std::string>& query) {
  auto today = metering::day_of_ms(accounts::unix_now() * 1000);
  uint32_t from = today >= 30 ? today - 30 : 0;
  uint32_t to = today;
  if (auto it = query.find("from"); it != query.end()) {
    auto day = metering::day_from_text(it->second);
    if (!day)
      return c.answer(error_reply(error_code::bad_request, "from must be a date YYYY-MM-DD"));
    from = *day;
  }
  if (auto it = query.find("to"); it != query.end()) {
    auto day = metering::day_from_text(it->second);
    if (!day)
      return c.answer(error_reply(error_code::bad_request, "to must be a date YYYY-MM-DD"));
    to = *day;
  }
  if (to < from || to - from > 366)
    return c.answer(error_reply(error_code::bad_request, "the range must run forwards and span at most 366 days"));
  auto format = query.count("format") ? query.at("format") : "json";
  if (format != "json" && format != "csv")
    return c.answer(error_reply(error_code::bad_request, "format must be json or csv"));
  auto& db = *c.self->state.ctx->db;
  auto days = metering::usage_between(db, c.admin.org_id, from, to);
  if (format == "csv") {
    std::ostringstream csv;
    csv << "day,participant_minutes,participant_seconds,meetings,peak_concurrency\n";
    for (const auto& d : days)
      csv << metering::day_text(d.day) << ',' << d.participant_ms / 60000 << ',' << d.participant_ms / 1000 << ','
          << d.meetings << ',' << d.peak_concurrency << '\n';
    return c.answer(admin_reply{200, "text/csv; charset=utf-8", csv.str()});
  }
  json rows = json::array();
  for (const auto& d : days)
    rows.push_back(json{{"day", metering::day_text(d.day)},
                        {"participant_minutes", d.participant_ms / 60000},
                        {"participant_seconds", d.participant_ms / 1000},
                        {"meetings", d.meetings},
                        {"peak_concurrency", d.peak_concurrency}});
  c.answer(json_reply(200, json{{"org_id", accounts::id_to_hex(c.admin.org_id)},
                                {"from", metering::day_text(from)},
                                {"to", metering::day_text(to)},
                                {"days", rows},
                                {"pending_events", metering::journal_backlog(db)}}));
}

// --- audit log -----------------------------------------------------------------------------

std::optional<audit::audit_filter> audit_filter_of(call& c, const std::map<std::string, std::string>& query) {
  audit::audit_filter filter;
  filter.org_id = c.admin.org_id;
  auto number = [&](const char* name, auto& out) {
    auto it = query.find(name);
    if (it == query.end())
      return true;
    auto v = parse_int(it->second);
    if (!v) {
      c.answer(error_reply(error_code::bad_request, std::string{name} + " must be a non-negative integer"));
      return false;
    }
    out = static_cast<std::decay_t<decltype(out)>>(*v);
    return true;
  };
  size_t limit = 100;
  if (!number("from", filter.from_ms) || !number("to", filter.to_ms) || !number("after", filter.after_seq)
      || !number("limit", limit))
    return std::nullopt;
  filter.limit = std::clamp<size_t>(limit, 1, 1000);
  if (auto it = query.find("actor"); it != query.end()) {
    uint64_t id = 0;
    if (!accounts::id_from_hex(it->second, id)) {
      c.answer(error_reply(error_code::bad_request, "actor must be a user id"));
      return std::nullopt;
    }
    filter.actor_id = id;
  }
  if (auto it = query.find("kind"); it != query.end())
    filter.kind = it->second;
  return filter;
}

void audit_query(call& c, const std::map<std::string, std::string>& query) {
  auto filter = audit_filter_of(c, query);
  if (!filter)
    return;
  json entries = json::array();
  for (const auto& e : audit::audit_repository{*c.self->state.ctx->db}.query(*filter))
    entries.push_back(audit_json(e));
  c.answer(json_reply(200, json{{"entries", entries}}));
}

void audit_export(call& c, const std::map<std::string, std::string>& query) {
  auto filter = audit_filter_of(c, query);
  if (!filter)
    return;
  std::string lines;
  audit::audit_repository{*c.self->state.ctx->db}.scan(*filter, [&](const audit::audit_event& e) {
    lines += audit_json(e).dump();
    lines += '\n';
  });
  c.answer_audited(c.event("audit.export", "", c.req.query), admin_reply{200, "application/x-ndjson", lines});
}

void audit_verify(call& c) {
  auto report = audit::audit_repository{*c.self->state.ctx->db}.verify();
  json body{{"intact", report.intact}, {"entries", report.entries}};
  if (!report.intact) {
    body["first_broken"] = report.first_broken;
    body["problem"] = report.problem;
  }
  c.answer(json_reply(200, body));
}

// --- debug hooks ---------------------------------------------------------------------------

void metering_control(call& c) {
  if (!c.self->state.ctx->debug_hooks)
    return c.answer(error_reply(error_code::not_found, "no such resource: " + c.req.path));
  auto body = body_object(c);
  if (!body)
    return;
  auto action = field(*body, "action", json());
  if (!action.is_string() || (action != "stop" && action != "start" && action != "kill"))
    return c.answer(error_reply(error_code::bad_request, "action must be stop, start or kill"));
  auto supervisor = lookup_service(c.self->system(), supervisor_name);
  if (!supervisor)
    return c.answer(error_reply(error_code::unavailable, "the supervisor is not running"));
  auto copy = c;
  c.self->request(supervisor, store_timeout, metering_control_atom::value, action.get<std::string>())
    .then([copy, a = action.get<std::string>()](caf::ok_atom) mutable {
            copy.answer_audited(copy.event("debug.metering", "", a), json_reply(200, json{{"metering", a}}));
          },
          [copy](caf::error& err) mutable {
            auto client = to_client_error(err);
            copy.answer(error_reply(client.code, client.message));
          });
}

// --- encryption at rest --------------------------------------------------------------------

/// The organisation's own key and its users' keys: the owners a rotation renews.
std::vector<std::pair<uint64_t, const accounts::user_record*>> key_owners(
  uint64_t org_id, const std::vector<accounts::user_record>& users) {
  std::vector<std::pair<uint64_t, const accounts::user_record*>> owners{{storage::org_owner(org_id), nullptr}};
  for (const auto& u : users)
    if (u.org_id == org_id)
      owners.emplace_back(storage::user_owner(u.id), &u);
  return owners;
}

storage::data_key_ring* key_ring_or_answer(call& c) {
  auto* ring = c.self->state.ctx->db->key_ring();
  if (!ring)
    c.answer(error_reply(error_code::unavailable, "encryption at rest is not enabled on this node"));
  return ring;
}

json key_versions(storage::data_key_ring& ring, uint64_t org_id, const std::vector<accounts::user_record>& users) {
  json out = json{{"organisation", {{"org_id", accounts::id_to_hex(org_id)},
                                    {"version", ring.current_version(storage::org_owner(org_id))}}},
                  {"users", json::array()}};
  for (const auto& [owner, user] : key_owners(org_id, users))
    if (user)
      out["users"].push_back(json{{"id", accounts::id_to_hex(user->id)}, {"username", user->username},
                                  {"version", ring.current_version(owner)}});
  return out;
}

void list_keys(call& c) {
  auto* ring = key_ring_or_answer(c);
  if (!ring)
    return;
  auto users = accounts::account_repository{*c.self->state.ctx->db}.list_users();
  c.answer(json_reply(200, json{{"keys", key_versions(*ring, c.admin.org_id, users)}}));
}

/// A new data key version for the organisation and each of its users: new records are sealed
/// under it, older ones stay readable under the versions they name.
void rotate_keys(call& c) {
  auto* ring = key_ring_or_answer(c);
  if (!ring)
    return;
  auto users = accounts::account_repository{*c.self->state.ctx->db}.list_users();
  size_t rotated = 0;
  for (const auto& [owner, user] : key_owners(c.admin.org_id, users)) {
    if (ring->rotate(owner) == 0)
      return c.answer(error_reply(error_code::internal, "a new data key could not be stored; " + std::to_string(rotated)
                                                          + " of the organisation's keys were rotated; retry"));
    ++rotated;
  }
  c.answer_audited(c.event("keys.rotate", accounts::id_to_hex(c.admin.org_id), std::to_string(rotated) + " keys"),
                   json_reply(200, json{{"rotated", rotated}, {"keys", key_versions(*ring, c.admin.org_id, users)}}));
}

/// Flush and full compaction: erased and shredded records leave the data folder's files now
/// rather than whenever RocksDB would compact them.
void compact_storage(call& c) {
  if (auto status = c.self->state.ctx->db->compact_all(); !status.ok()) {
    telemetry::logger("admin")->error("compaction failed: {}", status.ToString());
    return c.answer(error_reply(error_code::internal, "the compaction failed; see the server log"));
  }
  c.answer_audited(c.event("storage.compact", "database"), json_reply(200, json{{"compacted", true}}));
}

// --- routing -------------------------------------------------------------------------------

void route(call& c) {
  auto parts = split_path(c.req.path); // api v1 admin ...
  auto query = parse_query(c.req.query);
  if (!query)
    return c.answer(error_reply(error_code::bad_request, "malformed query string"));
  const auto& m = c.req.method;
  auto is = [&](std::initializer_list<const char*> tail) {
    if (parts.size() != 3 + tail.size())
      return false;
    size_t i = 3;
    for (auto t : tail) {
      if (std::string_view{t} != "*" && parts[i] != t)
        return false;
      ++i;
    }
    return true;
  };
  auto wrong_method = [&](const char* allowed) {
    c.answer(error_reply(error_code::method_not_allowed, std::string{"use "} + allowed + " for " + c.req.path));
  };
  if (is({"users"})) {
    if (m == "GET")
      return list_users(c);
    if (m == "POST")
      return create_user(c);
    return wrong_method("GET or POST");
  }
  if (is({"users", "*"})) {
    if (m == "GET") {
      if (auto user = target_user(c, parts[4]))
        c.answer(json_reply(200, json{{"user", user_json(*user)}}));
      return;
    }
    if (m == "DELETE")
      return delete_user(c, parts[4]);
    return wrong_method("GET or DELETE");
  }
  if (is({"users", "*", "*"}))
    return m == "POST" ? user_action(c, parts[4], parts[5]) : wrong_method("POST");
  if (is({"organisation"})) {
    if (m == "GET")
      return get_org(c);
    if (m == "PUT")
      return update_org(c);
    return wrong_method("GET or PUT");
  }
  if (is({"org", "security-policy"})) {
    if (m == "GET")
      return get_policy(c);
    if (m == "PUT")
      return update_policy(c);
    return wrong_method("GET or PUT");
  }
  if (is({"organisations"})) {
    if (!operator_or_answer(c))
      return;
    if (m == "GET")
      return list_orgs(c);
    if (m == "POST")
      return create_org(c);
    return wrong_method("GET or POST");
  }
  if (is({"organisations", "*"})) {
    if (!operator_or_answer(c))
      return;
    if (m == "GET") {
      if (auto org = target_org(c, parts[4]))
        c.answer(json_reply(200, json{{"organisation", operated_org_json(c, *org)}}));
      return;
    }
    if (m == "PUT")
      return update_operated_org(c, parts[4]);
    if (m == "DELETE")
      return delete_operated_org(c, parts[4]);
    return wrong_method("GET, PUT or DELETE");
  }
  if (is({"usage"}))
    return m == "GET" ? usage(c, *query) : wrong_method("GET");
  if (is({"audit"}))
    return m == "GET" ? audit_query(c, *query) : wrong_method("GET");
  if (is({"audit", "export"}))
    return m == "GET" ? audit_export(c, *query) : wrong_method("GET");
  if (is({"audit", "verify"}))
    return m == "GET" ? audit_verify(c) : wrong_method("GET");
  if (is({"keys"}))
    return m == "GET" ? list_keys(c) : wrong_method("GET");
  if (is({"keys", "rotate"}))
    return m == "POST" ? rotate_keys(c) : wrong_method("POST");
  if (is({"storage", "compact"}))
    return m == "POST" ? compact_storage(c) : wrong_method("POST");
  if (is({"debug", "metering"}))
    return m == "POST" ? metering_control(c) : wrong_method("POST");
  c.answer(error_reply(error_code::not_found, "no such resource: " + c.req.path));
}

caf::result<admin_reply> handle(admin_actor* self, admin_request& req) {
  auto& st = self->state;
  const auto invalid = "invalid, expired or revoked token; sign in again";
  if (!accounts::looks_like_token(req.token))
    return error_reply(error_code::unauthenticated, invalid);
  accounts::account_repository repository{*st.ctx->db};
  auto token = repository.find_token(accounts::token_digest(req.token));
  if (!token || token->expires_at <= accounts::unix_now())
    return error_reply(error_code::unauthenticated, invalid);
  if (!token->scopes.empty())
    return error_reply(error_code::forbidden, "a token issued from an API key cannot use the admin API; sign in");
  auto admin = repository.find_by_id(token->user_id);
  if (!admin || admin->disabled)
    return error_reply(error_code::unauthenticated, invalid);
  if (!admin->is_admin)
    return error_reply(error_code::forbidden, "administrator rights are required");
  call c{self, self->make_response_promise<admin_reply>(), std::move(req), std::move(*admin)};
  c.req.token.clear(); // not kept in any copy that outlives this call
  try {
    route(c);
  } catch (const std::exception& e) {
    telemetry::logger("admin")->error("admin request {} {} failed: {}", c.req.method, c.req.path, e.what());
    c.answer(error_reply(error_code::internal, "internal error"));
  }
  return c.rp;
}

caf::behavior admin_service(admin_actor* self, std::shared_ptr<const node_context> ctx, caf::actor store) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.store = std::move(store);
  st.workers = spawn_password_workers(self->system(), st.ctx->accounts.cost, 1);
  self->link_to(st.workers);
  return {
    [self](admin_atom, admin_request& req) { return handle(self, req); },
  };
}

} // namespace

caf::actor spawn_admin_service(caf::actor_system& system, std::shared_ptr<const node_context> ctx, caf::actor store) {
  return system.spawn(admin_service, std::move(ctx), std::move(store));
}

} // namespace parley::actors
