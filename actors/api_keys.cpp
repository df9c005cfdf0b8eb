// API keys and temporary credentials: creation (secret shown once), listing, revocation,
// service accounts, and requests signed with a key (HMAC-SHA256, ±5 min skew, nonces).
#include <algorithm>

#include <nlohmann/json.hpp>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/api_key.hpp"
#include "accounts/request_nonce_repository.hpp"
#include "actors/accounts_state.hpp"
#include "actors/security_audit.hpp"
#include "actors/service_error.hpp"
#include "meetings/meeting_id.hpp"

namespace parley::actors {

namespace {

using nlohmann::json;
using protocol::error_code;

constexpr int64_t max_skew_seconds = 300;
constexpr int64_t default_temporary_ttl = 3600;
constexpr int64_t max_temporary_ttl = 12 * 3600;
constexpr size_t max_keys_per_user = 100;

json key_json(const accounts::api_key_record& key) {
  json out{{"access_key_id", key.access_key_id},
           {"name", key.name},
           {"scopes", key.scopes},
           {"created_at", key.created_at},
           {"expires_at", key.expires_at},
           {"revoked", key.revoked}};
  if (!key.parent_key_id.empty())
    out["parent_key_id"] = key.parent_key_id;
  if (key.meeting_id != 0)
    out["meeting_id"] = meetings::meeting_id_to_string(key.meeting_id);
  return out;
}

/// Reads `scopes` (a non-empty array of known scope names); an error text otherwise.
std::optional<std::string> read_scopes(const json& body, std::vector<std::string>& scopes) {
  auto it = body.find("scopes");
  if (it == body.end() || !it->is_array() || it->empty() || it->size() > 16)
    return "scopes must be a non-empty array of scope names";
  for (const auto& s : *it) {
    if (!s.is_string() || !accounts::is_known_scope(s.get<std::string>()))
      return "unknown scope; known: profile:read, meetings:join, keys:temporary";
    if (std::find(scopes.begin(), scopes.end(), s.get<std::string>()) == scopes.end())
      scopes.push_back(s.get<std::string>());
  }
  return std::nullopt;
}

caf::result<std::string> deliver_after_write(accounts_actor* self, storage::write_set writes, std::string answer) {
  auto rp = self->make_response_promise<std::string>();
  write_then(self, std::move(writes), [rp, answer](std::optional<caf::error> err) mutable {
    if (err)
      rp.deliver(*err);
    else
      rp.deliver(answer);
  });
  return rp;
}

caf::result<std::string> create_key(accounts_actor* self, const accounts::user_record& caller, const json& body) {
  auto& st = self->state;
  accounts::api_key_record key;
  if (auto it = body.find("name"); it != body.end()) {
    if (!it->is_string() || it->get<std::string>().size() > 64)
      return make_service_error(error_code::bad_request, "name must be a string of at most 64 bytes");
    key.name = it->get<std::string>();
  }
  if (auto problem = read_scopes(body, key.scopes))
    return make_service_error(error_code::bad_request, *problem);
  auto owner = caller;
  if (auto it = body.find("owner"); it != body.end()) {
    // Keys for a service account: only admins of its organisation.
    if (!it->is_string())
      return make_service_error(error_code::bad_request, "owner must be a service account's username");
    if (!caller.is_admin)
      return make_service_error(error_code::forbidden, "only administrators create keys for service accounts");
    auto normalized = accounts::normalize_username(it->get<std::string>());
    auto found = normalized ? st.find_user_by_name(*normalized) : std::nullopt;
    if (!found || !found->is_service || found->org_id != caller.org_id)
      return make_service_error(error_code::not_found, "no such service account");
    owner = *found;
  }
  if (accounts::list_api_keys(*st.ctx->db, owner.id).size() >= max_keys_per_user)
    return make_service_error(error_code::conflict, "this account has the maximum of 100 keys; revoke some first");
  auto fresh = accounts::generate_api_key();
  key.access_key_id = fresh.access_key_id;
  key.user_id = owner.id;
  key.signing_key = accounts::derive_signing_key(fresh.secret);
  key.created_at = accounts::unix_now();
  storage::write_set writes;
  accounts::put_api_key(writes, key);
  audit_security_event(self, "key.create", caller.id, owner.id, key.access_key_id);
  auto answer = key_json(key);
  answer["secret"] = fresh.secret;
  answer["owner"] = owner.username;
  return deliver_after_write(self, std::move(writes), answer.dump());
}

caf::result<std::string> revoke_key(accounts_actor* self, const accounts::user_record& caller, const std::string& id) {
  auto& st = self->state;
  auto key = accounts::find_api_key(*st.ctx->db, id);
  auto owner = key ? st.find_user(key->user_id) : std::nullopt;
  bool allowed = key && owner && (key->user_id == caller.id || (caller.is_admin && owner->org_id == caller.org_id));
  if (!allowed)
    return make_service_error(error_code::not_found, "no such key");
  key->revoked = true;
  storage::write_set writes;
  accounts::put_api_key(writes, *key);
  audit_security_event(self, "key.revoke", caller.id, key->user_id, key->access_key_id);
  return deliver_after_write(self, std::move(writes), json{{"key", key_json(*key)}}.dump());
}

caf::result<std::string> create_service_account(accounts_actor* self, const accounts::user_record& caller,
                                                 const json& body) {
  auto& st = self->state;
  if (!caller.is_admin)
    return make_service_error(error_code::forbidden, "only administrators create service accounts");
  auto it = body.find("username");
  auto normalized = it != body.end() && it->is_string() ? accounts::normalize_username(it->get<std::string>())
                                                        : std::nullopt;
  if (!normalized)
    return make_service_error(error_code::bad_request,
                              "username must be 3-32 characters of letters, digits, '.', '_' or '-'");
  if (st.find_user_by_name(*normalized) || st.registering.count(*normalized))
    return make_service_error(error_code::conflict, "that username is taken");
  accounts::user_record user;
  user.id = accounts::random_id();
  user.username = it->get<std::string>();
  user.display_name = user.username;
  if (auto name = body.find("display_name"); name != body.end() && name->is_string() && name->get<std::string>().size() <= 64)
    user.display_name = name->get<std::string>();
  user.created_at = accounts::unix_now();
  user.is_service = true;
  user.org_id = caller.org_id;
  storage::write_set writes;
  accounts::account_repository::add_user(writes, user);
  audit_security_event(self, "user.create", caller.id, user.id, "");
  return deliver_after_write(
    self, std::move(writes),
    json{{"user", {{"id", accounts::id_to_hex(user.id)}, {"username", user.username}, {"display_name", user.display_name},
                   {"service_account", true}}}}
      .dump());
}

bool plausible_nonce(const std::string& nonce) {
  if (nonce.size() < 16 || nonce.size() > 64)
    return false;
  for (char c : nonce)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

std::optional<int64_t> parse_timestamp(const std::string& text) {
  if (text.empty() || text.size() > 12)
    return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

caf::result<std::string> temporary_credentials(accounts_actor* self, const accounts::api_key_record& parent,
                                               const accounts::user_record& user, const std::string& body_text,
                                               storage::write_set writes) {
  if (!parent.parent_key_id.empty())
    return make_service_error(error_code::forbidden, "temporary credentials cannot issue further credentials");
  if (!parent.has_scope(accounts::scope_keys_temporary))
    return make_service_error(error_code::forbidden, "this key lacks the keys:temporary scope");
  auto body = json::parse(body_text.empty() ? std::string{"{}"} : body_text, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return make_service_error(error_code::bad_request, "the body must be a JSON object");
  accounts::api_key_record temp;
  if (auto problem = read_scopes(body, temp.scopes))
    return make_service_error(error_code::bad_request, *problem);
  for (const auto& scope : temp.scopes)
    if (scope == accounts::scope_keys_temporary || !parent.has_scope(scope))
      return make_service_error(error_code::forbidden,
                                "temporary credentials get a subset of the key's scopes, without keys:temporary");
  int64_t ttl = default_temporary_ttl;
  if (auto it = body.find("ttl_seconds"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 5 || it->get<int64_t>() > max_temporary_ttl)
      return make_service_error(error_code::bad_request, "ttl_seconds must be 5-43200 (default 3600)");
    ttl = it->get<int64_t>();
  }
  if (auto it = body.find("meeting_id"); it != body.end()) {
    auto id = it->is_string() ? meetings::parse_meeting_id(it->get<std::string>()) : std::nullopt;
    if (!id)
      return make_service_error(error_code::bad_request, "meeting_id must be an 11-digit meeting id");
    temp.meeting_id = *id;
  }
  auto now = accounts::unix_now();
  auto fresh = accounts::generate_api_key();
  temp.access_key_id = fresh.access_key_id;
  temp.user_id = user.id;
  temp.name = "temporary from " + parent.access_key_id;
  temp.signing_key = accounts::derive_signing_key(fresh.secret);
  temp.created_at = now;
  temp.expires_at = now + ttl;
  if (parent.expires_at != 0)
    temp.expires_at = std::min(temp.expires_at, parent.expires_at);
  temp.parent_key_id = parent.access_key_id;
  accounts::put_api_key(writes, temp);
  audit_security_event(self, "key.temporary_issued", user.id, user.id, temp.access_key_id);
  auto answer = key_json(temp);
  answer["secret"] = fresh.secret;
  return deliver_after_write(self, std::move(writes), answer.dump());
}

caf::result<std::string> sign_in_token(accounts_actor* self, const accounts::api_key_record& key,
                                       const accounts::user_record& user, storage::write_set writes) {
  auto& st = self->state;
  if (!key.has_scope(accounts::scope_meetings_join))
    return make_service_error(error_code::forbidden, "this key lacks the meetings:join scope");
  auto token = accounts::generate_token();
  accounts::token_record record;
  record.user_id = user.id;
  record.created_at = accounts::unix_now();
  record.expires_at = record.created_at + st.ctx->accounts.token_ttl;
  if (key.expires_at != 0)
    record.expires_at = std::min(record.expires_at, key.expires_at);
  record.scopes = key.scopes;
  record.meeting_id = key.meeting_id;
  accounts::account_repository::add_token(writes, accounts::token_digest(token), record);
  json answer{{"token", token},
              {"expires_at", record.expires_at},
              {"user", {{"id", accounts::id_to_hex(user.id)}, {"username", user.username}, {"display_name", user.display_name}}}};
  if (key.meeting_id != 0)
    answer["meeting_id"] = meetings::meeting_id_to_string(key.meeting_id);
  return deliver_after_write(self, std::move(writes), answer.dump());
}

} // namespace

caf::result<std::string> handle_key_command(accounts_actor* self, account_command& cmd) {
  auto& st = self->state;
  auto caller = bearer_user(st, cmd.bearer);
  if (!caller)
    return make_service_error(error_code::unauthenticated, "send Authorization: Bearer <token>");
  auto body = json::parse(cmd.body.empty() ? std::string{"{}"} : cmd.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return make_service_error(error_code::bad_request, "the body must be a JSON object");
  if (cmd.action == "keys.create")
    return create_key(self, *caller, body);
  if (cmd.action == "keys.revoke")
    return revoke_key(self, *caller, cmd.subject);
  if (cmd.action == "admin.service_account.create")
    return create_service_account(self, *caller, body);
  if (cmd.action == "keys.list") {
    json keys = json::array();
    for (const auto& key : accounts::list_api_keys(*st.ctx->db, caller->id))
      keys.push_back(key_json(key));
    return json{{"keys", keys}}.dump();
  }
  return make_service_error(error_code::not_found, "no such action: " + cmd.action);
}

caf::result<std::string> handle_signed_command(accounts_actor* self, signed_command& cmd) {
  auto& st = self->state;
  const auto now = accounts::unix_now();
  auto timestamp = parse_timestamp(cmd.timestamp);
  if (!timestamp)
    return make_service_error(error_code::unauthenticated, "X-Parley-Date must be unix seconds");
  if (*timestamp < now - max_skew_seconds || *timestamp > now + max_skew_seconds)
    return make_service_error(error_code::unauthenticated, "the request time is more than 5 minutes from the server's ("
                                                             + std::to_string(now) + ")");
  if (!plausible_nonce(cmd.nonce))
    return make_service_error(error_code::unauthenticated, "X-Parley-Nonce must be 16-64 characters of [A-Za-z0-9_-]");
  const auto invalid = "unknown, revoked or expired access key, or a wrong signature";
  auto key = accounts::find_api_key(*st.ctx->db, cmd.key_id);
  if (!key || key->revoked || (key->expires_at != 0 && key->expires_at <= now))
    return make_service_error(error_code::unauthenticated, invalid);
  if (!key->parent_key_id.empty()) {
    auto parent = accounts::find_api_key(*st.ctx->db, key->parent_key_id);
    if (!parent || parent->revoked || (parent->expires_at != 0 && parent->expires_at <= now))
      return make_service_error(error_code::unauthenticated, invalid);
  }
  auto user = st.find_user(key->user_id);
  if (!user || user->disabled)
    return make_service_error(error_code::unauthenticated, invalid);
  auto expected = accounts::request_signature(
    key->signing_key, accounts::canonical_request(cmd.method, cmd.path, cmd.query, cmd.timestamp, cmd.nonce, cmd.body));
  if (!accounts::signatures_equal(expected, cmd.signature)) {
    audit_security_event(self, "key.bad_signature", user->id, user->id, key->access_key_id);
    return make_service_error(error_code::unauthenticated, invalid);
  }
  // The nonce is remembered here at once and on disk with the request's own writes, so a request
  // that was answered cannot be replayed, not even after a restart.
  const auto scoped_nonce = key->access_key_id + ":" + cmd.nonce;
  const auto forget_at = *timestamp + max_skew_seconds + 1;
  switch (st.nonces.remember(scoped_nonce, forget_at, now)) {
  case accounts::nonce_cache::outcome::replayed:
    audit_security_event(self, "key.replay", user->id, user->id, key->access_key_id);
    return make_service_error(error_code::unauthenticated, "this nonce was already used (replayed request)");
  case accounts::nonce_cache::outcome::full:
    return make_retry_error("too many signed requests right now; try again", 1);
  case accounts::nonce_cache::outcome::fresh:
    break;
  }
  storage::write_set writes;
  accounts::put_request_nonce(writes, scoped_nonce, forget_at);
  if (cmd.action == "me") {
    if (!key->has_scope(accounts::scope_profile_read))
      return make_service_error(error_code::forbidden, "this key lacks the profile:read scope");
    json answer{{"user", {{"id", accounts::id_to_hex(user->id)}, {"username", user->username}, {"display_name", user->display_name}}},
                {"key", key_json(*key)}};
    return deliver_after_write(self, std::move(writes), answer.dump());
  }
  if (cmd.action == "keys.temporary")
    return temporary_credentials(self, *key, *user, cmd.body, std::move(writes));
  if (cmd.action == "auth.token")
    return sign_in_token(self, *key, *user, std::move(writes));
  return make_service_error(error_code::not_found, "no such action: " + cmd.action);
}

} // namespace parley::actors
