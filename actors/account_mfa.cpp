// TOTP MFA: enrolment (otpauth:// URI and QR code), confirmation with a first code (which yields
// one-time recovery codes), and the second sign-in step that turns a challenge into a token.
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/qr_png.hpp"
#include "accounts/recovery_codes.hpp"
#include "accounts/totp.hpp"
#include "actors/accounts_state.hpp"
#include "actors/security_audit.hpp"
#include "actors/service_error.hpp"

namespace parley::actors {

namespace {

using nlohmann::json;
using protocol::error_code;
constexpr std::string_view issuer = "Parley";

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1); // the terminating NUL
  return out;
}

std::string string_field(const json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

/// The live challenge named in the body (not yet expired), or nullptr.
mfa_challenge* find_challenge(accounts_state& st, const std::string& text, std::string& digest) {
  if (!accounts::looks_like_token(text))
    return nullptr;
  digest = accounts::token_digest(text);
  auto it = st.challenges.find(digest);
  if (it == st.challenges.end())
    return nullptr;
  if (it->second.expires_at <= accounts::unix_now()) {
    st.challenges.erase(it); // the sweep deletes it on disk
    return nullptr;
  }
  return &it->second;
}

/// Who is enrolling: the bearer of a token, or the holder of an enrolment challenge (when the
/// organisation requires MFA of a user who has none yet). `via_challenge` says which.
std::optional<accounts::user_record> enrolling_user(accounts_state& st, const account_command& cmd, const json& body,
                                                    bool& via_challenge, std::string& digest) {
  via_challenge = false;
  if (!cmd.bearer.empty())
    return bearer_user(st, cmd.bearer);
  auto* challenge = find_challenge(st, string_field(body, "challenge"), digest);
  if (!challenge || !challenge->enrolment)
    return std::nullopt;
  via_challenge = true;
  return st.find_user(challenge->user_id);
}

/// Counts a wrong code against a challenge (a challenge dies after a few), durably before the
/// refusal is answered, so a restart does not reset the count.
caf::result<login_grant> refuse_code(accounts_actor* self, const std::string& digest, caf::error refusal) {
  auto& st = self->state;
  auto it = st.challenges.find(digest);
  if (it == st.challenges.end())
    return refusal;
  storage::write_set writes;
  if (++it->second.failures >= challenge_max_failures) {
    st.challenges.erase(it);
    accounts::erase_mfa_challenge(writes, digest);
  } else {
    accounts::put_mfa_challenge(writes, digest, it->second);
  }
  auto rp = self->make_response_promise<login_grant>();
  write_then(self, std::move(writes), [rp, refusal](std::optional<caf::error> err) mutable {
    rp.deliver(err ? *err : refusal);
  });
  return rp;
}

caf::result<login_grant> confirm(accounts_actor* self, const account_command& cmd, const json& body) {
  auto& st = self->state;
  bool via_challenge = false;
  std::string digest;
  auto user = enrolling_user(st, cmd, body, via_challenge, digest);
  if (!user)
    return make_service_error(error_code::unauthenticated, "a valid token or enrolment challenge is required");
  if (user->mfa_enabled)
    return make_service_error(error_code::conflict, "MFA is already enabled; an administrator can reset it");
  if (user->mfa_pending_secret.empty())
    return make_service_error(error_code::bad_request, "enrol first with POST /api/v1/auth/mfa/enroll");
  auto step = accounts::totp_accept(user->mfa_pending_secret, string_field(body, "code"), accounts::unix_now(), 0);
  if (!step) {
    auto refusal = make_service_error(error_code::mfa_invalid, "the code does not match; check the device's clock");
    if (via_challenge)
      return refuse_code(self, digest, std::move(refusal));
    return refusal;
  }
  if (via_challenge)
    st.challenges.erase(digest); // and on disk with the writes below
  auto codes = accounts::generate_recovery_codes();
  user->mfa_enabled = true;
  user->mfa_secret = std::move(user->mfa_pending_secret);
  user->mfa_pending_secret.clear();
  user->mfa_last_step = *step;
  user->recovery_codes.clear();
  for (const auto& code : codes)
    user->recovery_codes.push_back(accounts::recovery_code_digest(code));
  storage::write_set writes;
  accounts::account_repository::add_user(writes, *user);
  if (via_challenge)
    accounts::erase_mfa_challenge(writes, digest);
  audit_security_event(self, "mfa.enabled", user->id, user->id, "");
  auto rp = self->make_response_promise<login_grant>();
  if (via_challenge) {
    issue_token(self, rp, *user, std::move(writes), std::move(codes));
    return rp;
  }
  write_then(self, std::move(writes), [rp, codes, profile = user->profile()](std::optional<caf::error> err) mutable {
    if (err) {
      rp.deliver(*err);
      return;
    }
    login_grant grant;
    grant.user = profile;
    grant.recovery_codes = codes;
    rp.deliver(grant);
  });
  return rp;
}

caf::result<login_grant> verify(accounts_actor* self, const json& body) {
  auto& st = self->state;
  std::string digest;
  auto* challenge = find_challenge(st, string_field(body, "challenge"), digest);
  if (!challenge || challenge->enrolment)
    return make_service_error(error_code::unauthenticated, "the sign-in challenge is invalid or expired; sign in again");
  auto user = st.find_user(challenge->user_id);
  if (!user || user->disabled || !user->mfa_enabled) {
    close_challenge(self, digest);
    return make_service_error(error_code::unauthenticated, "the sign-in challenge is invalid or expired; sign in again");
  }
  auto code = string_field(body, "code");
  auto recovery = string_field(body, "recovery_code");
  bool accepted = false;
  if (!code.empty()) {
    if (auto step = accounts::totp_accept(user->mfa_secret, code, accounts::unix_now(), user->mfa_last_step)) {
      user->mfa_last_step = *step;
      accepted = true;
    }
  } else if (!recovery.empty() && recovery.size() < 64) {
    accepted = accounts::consume_recovery_code(user->recovery_codes, recovery);
  } else {
    return make_service_error(error_code::bad_request, "code or recovery_code (string) is required");
  }
  if (!accepted) {
    audit_security_event(self, "mfa.failure", user->id, user->id, "");
    return refuse_code(self, digest,
                       make_service_error(error_code::mfa_invalid, "the code is wrong, expired or already used"));
  }
  st.challenges.erase(digest);
  audit_security_event(self, "auth.login", user->id, user->id, recovery.empty() ? "mfa=totp" : "mfa=recovery_code");
  storage::write_set writes;
  accounts::account_repository::add_user(writes, *user);
  accounts::erase_mfa_challenge(writes, digest); // a challenge signs in once, also across a restart
  auto rp = self->make_response_promise<login_grant>();
  issue_token(self, rp, *user, std::move(writes));
  return rp;
}

} // namespace

caf::result<std::string> handle_mfa_enroll(accounts_actor* self, account_command& cmd) {
  auto& st = self->state;
  auto body = json::parse(cmd.body.empty() ? std::string{"{}"} : cmd.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return make_service_error(error_code::bad_request, "the body must be a JSON object");
  bool via_challenge = false;
  std::string digest;
  auto user = enrolling_user(st, cmd, body, via_challenge, digest);
  if (!user)
    return make_service_error(error_code::unauthenticated, "a valid token or enrolment challenge is required");
  if (user->mfa_enabled)
    return make_service_error(error_code::conflict, "MFA is already enabled; an administrator can reset it");
  user->mfa_pending_secret = accounts::generate_totp_secret();
  auto uri = accounts::otpauth_uri(issuer, user->username, user->mfa_pending_secret);
  auto png = accounts::qr_png(uri);
  if (!png)
    return make_service_error(error_code::internal, "cannot draw the QR code");
  auto answer = json{{"secret", accounts::base32_encode(user->mfa_pending_secret)},
                     {"otpauth_uri", uri},
                     {"qr_png", base64(*png)}}
                  .dump();
  storage::write_set writes;
  accounts::account_repository::add_user(writes, *user);
  auto rp = self->make_response_promise<std::string>();
  write_then(self, std::move(writes), [self, rp, answer, id = user->id](std::optional<caf::error> err) mutable {
    if (err) {
      rp.deliver(*err);
      return;
    }
    audit_security_event(self, "mfa.enrolment_started", id, id, "");
    rp.deliver(answer);
  });
  return rp;
}

caf::result<login_grant> handle_grant_command(accounts_actor* self, account_command& cmd) {
  if (cmd.action == "saml.acs" || cmd.action == "saml.acs_browser")
    return handle_saml_acs(self, cmd);
  auto body = json::parse(cmd.body.empty() ? std::string{"{}"} : cmd.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return make_service_error(error_code::bad_request, "the body must be a JSON object");
  if (cmd.action == "mfa.confirm") {
    if (is_scoped_bearer(self->state, cmd.bearer))
      return make_service_error(error_code::forbidden,
                                "a token issued from an API key cannot manage the account; sign in with a password");
    return confirm(self, cmd, body);
  }
  if (cmd.action == "mfa.verify")
    return verify(self, body);
  return make_service_error(error_code::not_found, "no such action: " + cmd.action);
}

} // namespace parley::actors
