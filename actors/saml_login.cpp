// SAML sign-in in the accounts actor: it remembers the AuthnRequests it sent (InResponseTo) and
// the assertions it accepted (replay), provisions users just in time, and maps a role attribute
// to admin rights on every sign-in.
#include <algorithm>

#include <nlohmann/json.hpp>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/saml_sp.hpp"
#include "actors/accounts_state.hpp"
#include "actors/security_audit.hpp"
#include "actors/service_error.hpp"
#include "storage/database.hpp"
#include "storage/value_codec.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
constexpr int64_t request_lifetime = 10 * 60;
constexpr size_t max_pending = 100000;

std::string replay_key(const std::string& assertion_id) {
  return "saml-assertion:" + assertion_id;
}

void forget_expired(std::unordered_map<std::string, int64_t>& table, int64_t now) {
  for (auto it = table.begin(); it != table.end();)
    it = it->second <= now ? table.erase(it) : std::next(it);
}

/// A username from the NameID: lower-case [a-z0-9._-], at most 32 characters.
std::string username_from(const std::string& name_id) {
  std::string out;
  for (char c : name_id) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '.');
    if (out.size() == 32)
      break;
  }
  while (out.size() < 3)
    out.push_back('_');
  return out;
}

const std::string* first_value(const accounts::saml_assertion& a, const std::string& name) {
  auto it = a.attributes.find(name);
  return it == a.attributes.end() || it->second.empty() ? nullptr : &it->second.front();
}

} // namespace

caf::result<std::string> handle_saml_login(accounts_actor* self, account_command&) {
  auto& st = self->state;
  const auto& saml = st.ctx->accounts.saml;
  if (!saml.enabled())
    return make_service_error(error_code::not_found, "SAML sign-in is not configured on this server");
  auto now = accounts::unix_now();
  if (st.saml_requests.size() >= max_pending)
    forget_expired(st.saml_requests, now);
  if (st.saml_requests.size() >= max_pending)
    return make_retry_error("too many SAML sign-ins in progress; try again", 5);
  auto request = accounts::make_authn_request(saml, now);
  st.saml_requests[request.id] = now + request_lifetime;
  // The edge turns this into the redirect, and keeps the request id in a cookie of the browser
  // that started it (see saml.acs_browser below); the client never sees this body.
  return nlohmann::json{{"redirect", accounts::redirect_binding_url(saml, request, {})}, {"request_id", request.id}}
    .dump();
}

caf::result<login_grant> handle_saml_acs(accounts_actor* self, account_command& cmd) {
  auto& st = self->state;
  const auto& saml = st.ctx->accounts.saml;
  if (!saml.enabled())
    return make_service_error(error_code::not_found, "SAML sign-in is not configured on this server");
  auto form = accounts::parse_form(cmd.body);
  auto now = accounts::unix_now();
  auto outcome = accounts::validate_saml_response(saml, form["SAMLResponse"], now);
  if (auto* problem = std::get_if<std::string>(&outcome)) {
    audit_security_event(self, "auth.login_failed", 0, 0, "saml: " + *problem);
    return make_service_error(error_code::unauthenticated, "SAML sign-in refused: " + *problem);
  }
  auto assertion = std::get<accounts::saml_assertion>(std::move(outcome));
  // SP-initiated only: the assertion must answer a request this node sent and has not seen answered.
  auto pending = st.saml_requests.find(assertion.in_response_to);
  if (assertion.in_response_to.empty() || pending == st.saml_requests.end() || pending->second <= now)
    return make_service_error(error_code::unauthenticated,
                              "SAML sign-in refused: InResponseTo names no pending request of this service");
  // A browser gets the sign-in only for the request it started itself (its cookie names it), so
  // another's response posted through it (login CSRF) signs nobody in.
  if (cmd.action == "saml.acs_browser" && cmd.subject != assertion.in_response_to)
    return make_service_error(error_code::unauthenticated,
                              "SAML sign-in refused: this browser did not start the sign-in it answers");
  forget_expired(st.saml_seen, now);
  if (st.saml_seen.count(assertion.assertion_id)
      || st.ctx->db->get(storage::column_family::tokens, replay_key(assertion.assertion_id)))
    return make_service_error(error_code::unauthenticated, "SAML sign-in refused: the assertion was already used");
  if (st.saml_seen.size() >= max_pending)
    return make_retry_error("too many SAML sign-ins in progress; try again", 5);
  st.saml_requests.erase(pending);
  auto remember_until = assertion.not_on_or_after + saml.clock_skew_seconds;
  st.saml_seen[assertion.assertion_id] = remember_until;

  auto external_id = "saml:" + assertion.name_id;
  auto username = username_from(assertion.name_id);
  auto user = st.find_user_by_name(username);
  if (user && user->external_id != external_id)
    return make_service_error(error_code::conflict,
                              "a local account already has the username " + username + "; an admin must resolve it");
  if (user && user->disabled)
    return make_service_error(error_code::unauthenticated, "the account is disabled");
  bool admin = false;
  if (auto it = assertion.attributes.find(saml.role_attribute); it != assertion.attributes.end())
    for (const auto& value : it->second)
      admin = admin || std::find(saml.admin_roles.begin(), saml.admin_roles.end(), value) != saml.admin_roles.end();
  bool created = !user;
  if (!user) {
    user = accounts::user_record{};
    user->id = accounts::random_id();
    user->username = username;
    user->created_at = now;
    user->external_id = external_id;
  }
  user->display_name = username;
  if (const auto* name = first_value(assertion, "displayName"); name && !name->empty() && name->size() <= 64)
    user->display_name = *name;
  bool role_changed = !created && user->is_admin != admin;
  user->is_admin = admin;
  storage::write_set writes;
  accounts::account_repository::add_user(writes, *user);
  accounts::token_record seen;
  seen.expires_at = remember_until;
  writes.put(storage::column_family::tokens, replay_key(assertion.assertion_id), storage::encode_value(seen));
  if (created)
    audit_security_event(self, "user.create", 0, user->id, admin ? "saml jit, admin" : "saml jit");
  if (role_changed)
    audit_security_event(self, "user.role", 0, user->id, admin ? "saml: admin" : "saml: member");
  audit_security_event(self, "auth.login", user->id, user->id, "saml");
  auto rp = self->make_response_promise<login_grant>();
  issue_token(self, rp, *user, std::move(writes));
  return rp;
}

} // namespace parley::actors
