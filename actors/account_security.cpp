// Password change (policy, history), admin unlock and MFA reset, and the organisation's policy.
// Every admin action is authorised here, where the accounts live, from the caller's token.
#include <nlohmann/json.hpp>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "actors/accounts_state.hpp"
#include "actors/security_audit.hpp"
#include "actors/service_error.hpp"

namespace parley::actors {

namespace {

using nlohmann::json;
using protocol::error_code;

std::optional<json> parse_body(const std::string& body) {
  auto parsed = json::parse(body.empty() ? std::string{"{}"} : body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return std::nullopt;
  return parsed;
}

std::string string_field(const json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

json user_summary(const accounts::user_record& user) {
  return json{{"id", accounts::id_to_hex(user.id)},     {"username", user.username},
              {"failed_logins", user.failed_logins},    {"locked_until", user.locked_until},
              {"mfa_enabled", user.mfa_enabled}};
}

caf::result<std::string> change_password(accounts_actor* self, const account_command& cmd, const json& body) {
  auto& st = self->state;
  auto username = string_field(body, "username");
  auto current = string_field(body, "password");
  auto next = string_field(body, "new_password");
  if (username.empty() || current.empty() || next.empty() || username.size() > 256 || current.size() > 1024
      || next.size() > 1024)
    return make_service_error(error_code::bad_request, "username, password and new_password (strings) are required");
  auto normalized = accounts::normalize_username(username).value_or(username.substr(0, 64));
  if (auto wait = st.throttle.retry_after(normalized, cmd.address); wait.count() > 0)
    return make_retry_error("too many failed sign-ins; try again in " + std::to_string(wait.count()) + " s",
                            wait.count());
  auto user = st.find_user_by_name(normalized);
  if (user && !user->disabled && user->locked_until > accounts::unix_now())
    return make_service_error_after(error_code::account_locked, "the account is locked",
                                    user->locked_until - accounts::unix_now());
  auto policy = user ? st.policy_of(user->org_id) : st.ctx->accounts.org_defaults;
  auto hash = user && !user->disabled ? user->password_hash : st.dummy_hash;
  auto rp = self->make_response_promise<std::string>();
  self->request(st.workers, worker_timeout, verify_atom::value, hash, current)
    .then(
      [self, rp, user_id = user ? user->id : 0, normalized, next, policy, address = cmd.address](bool matches) mutable {
        auto& st = self->state;
        auto user = user_id ? st.find_user(user_id) : std::nullopt;
        if (!matches || !user || user->disabled) {
          st.throttle.record_failure(normalized, address);
          auto failed = [rp]() mutable {
            rp.deliver(make_service_error(error_code::unauthenticated, "wrong username or password"));
          };
          if (!user || user->disabled)
            return failed();
          policy.record_failure(*user, accounts::unix_now());
          storage::write_set writes;
          accounts::account_repository::add_user(writes, *user);
          write_then(self, std::move(writes), [failed](std::optional<caf::error>) mutable { failed(); });
          return;
        }
        st.throttle.record_success(normalized);
        if (auto problem = policy.password_rules().check(next)) {
          rp.deliver(make_service_error(error_code::weak_password, *problem));
          return;
        }
        std::vector<std::string> earlier{user->password_hash};
        for (size_t i = 0; i < user->password_history.size() && i < policy.password_history; ++i)
          earlier.push_back(user->password_history[i]);
        self->request(st.workers, worker_timeout, history_atom::value, earlier, next)
          .then(
            [self, rp, user_id, next, policy](bool reused) mutable {
              if (reused) {
                rp.deliver(make_service_error(error_code::password_reused,
                                              "the new password must differ from the current and the last "
                                                + std::to_string(policy.password_history) + " passwords"));
                return;
              }
              self->request(self->state.workers, worker_timeout, hash_atom::value, next)
                .then(
                  [self, rp, user_id, policy](const std::string& hash) mutable {
                    auto user = self->state.find_user(user_id);
                    if (!user) {
                      rp.deliver(make_service_error(error_code::not_found, "the account no longer exists"));
                      return;
                    }
                    user->password_history.insert(user->password_history.begin(), user->password_hash);
                    user->password_history.resize(
                      std::min<size_t>(user->password_history.size(), std::max<uint32_t>(policy.password_history, 1)));
                    user->password_hash = hash;
                    user->password_changed_at = accounts::unix_now();
                    user->must_change_password = false;
                    user->failed_logins = 0;
                    user->locked_until = 0;
                    storage::write_set writes;
                    accounts::account_repository::add_user(writes, *user);
                    write_then(self, std::move(writes), [self, rp, id = user->id](std::optional<caf::error> err) mutable {
                      if (err)
                        { rp.deliver(*err); return; }
                      audit_security_event(self, "password.changed", id, id, "");
                      rp.deliver(std::string{"{}"});
                    });
                  },
                  [rp](caf::error& err) mutable { rp.deliver(err); });
            },
            [rp](caf::error& err) mutable { rp.deliver(err); });
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<std::string> admin_action(accounts_actor* self, const account_command& cmd) {
  auto& st = self->state;
  auto admin = bearer_user(st, cmd.bearer);
  if (!admin)
    return make_service_error(error_code::unauthenticated, "send Authorization: Bearer <token> of an administrator");
  if (!admin->is_admin)
    return make_service_error(error_code::forbidden, "only administrators may do this");
  // The user is named by id (16 hex digits, as the other admin routes do) or by username.
  std::optional<accounts::user_record> user;
  if (uint64_t id = 0; accounts::id_from_hex(cmd.subject, id))
    user = st.find_user(id);
  if (!user)
    if (auto normalized = accounts::normalize_username(cmd.subject))
      user = st.find_user_by_name(*normalized);
  if (!user || user->org_id != admin->org_id)
    return make_service_error(error_code::not_found, "no such user: " + cmd.subject);
  std::string event;
  if (cmd.action == "admin.mfa_reset") {
    user->mfa_enabled = false;
    user->mfa_secret.clear();
    user->mfa_pending_secret.clear();
    user->recovery_codes.clear();
    event = "user.mfa_reset";
  } else if (cmd.action == "admin.expire_password") {
    user->must_change_password = true;
    event = "user.password_expire";
  } else {
    return make_service_error(error_code::not_found, "no such action");
  }
  storage::write_set writes;
  accounts::account_repository::add_user(writes, *user);
  auto rp = self->make_response_promise<std::string>();
  write_then(self, std::move(writes), [self, rp, user = *user, event, id = admin->id](std::optional<caf::error> err) mutable {
    if (err)
      { rp.deliver(*err); return; }
    audit_security_event(self, event, id, user.id, "");
    rp.deliver(json{{"user", user_summary(user)}}.dump());
  });
  return rp;
}

} // namespace

caf::result<std::string> handle_account_command(accounts_actor* self, account_command& cmd) {
  auto body = parse_body(cmd.body);
  if (!body)
    return make_service_error(error_code::bad_request, "the body must be a JSON object");
  // Tokens issued from an API key carry scopes for the meeting protocol and signed requests only.
  if (is_scoped_bearer(self->state, cmd.bearer))
    return make_service_error(error_code::forbidden,
                              "a token issued from an API key cannot manage the account; sign in with a password");
  if (cmd.action == "password.change")
    return change_password(self, cmd, *body);
  if (cmd.action == "mfa.enroll")
    return handle_mfa_enroll(self, cmd);
  if (cmd.action == "phone.start" || cmd.action == "phone.verify")
    return handle_phone_command(self, cmd);
  if (cmd.action == "saml.login")
    return handle_saml_login(self, cmd);
  if (cmd.action.rfind("keys.", 0) == 0 || cmd.action == "admin.service_account.create")
    return handle_key_command(self, cmd);
  if (cmd.action.rfind("admin.", 0) == 0)
    return admin_action(self, cmd);
  return make_service_error(error_code::not_found, "no such action: " + cmd.action);
}

} // namespace parley::actors
