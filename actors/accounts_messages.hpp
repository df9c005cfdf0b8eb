// Messages of the accounts service: registration, sign-in and sign-out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include "accounts/user_record.hpp"

namespace parley::actors {

/// (register_atom, registration) → user_profile
using register_atom = caf::atom_constant<caf::atom("ac_reg")>;
/// (login_atom, login_attempt) → login_grant
using login_atom = caf::atom_constant<caf::atom("ac_login")>;
/// (logout_atom, token) → ok_atom
using logout_atom = caf::atom_constant<caf::atom("ac_logout")>;
/// (hash_atom, password) → std::string hash;  (verify_atom, hash, password) → bool
using hash_atom = caf::atom_constant<caf::atom("pw_hash")>;
using verify_atom = caf::atom_constant<caf::atom("pw_verify")>;
/// (unlock_atom, normalized username) → ok_atom: forgets its failed sign-ins (admin unlock).
using unlock_atom = caf::atom_constant<caf::atom("ac_unlock")>;
/// (history_atom, earlier hashes, password) → bool: does the password match any of them?
using history_atom = caf::atom_constant<caf::atom("pw_hist")>;
/// (account_atom, account_command) → std::string (a JSON object): password change, MFA
/// enrolment, admin unlock / MFA reset, organisation policy.
using account_atom = caf::atom_constant<caf::atom("ac_cmd")>;
/// (grant_atom, account_command) → login_grant: the MFA steps that may end in a token.
using grant_atom = caf::atom_constant<caf::atom("ac_grant")>;
/// (signed_atom, signed_command) → std::string (a JSON object): requests signed with an API key.
using signed_atom = caf::atom_constant<caf::atom("ac_signed")>;
/// Periodic removal of expired tokens.
using sweep_atom = caf::atom_constant<caf::atom("ac_sweep")>;
/// (user_change_atom, user_change) → ok_atom: an administrator's change to a user record, made by
/// the accounts actor (the one writer of user records) so it cannot race the user's own changes.
using user_change_atom = caf::atom_constant<caf::atom("ac_uchg")>;

struct registration {
  std::string username;
  std::string password;
  std::string display_name;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registration& x) {
  return f(caf::meta::type_name("parley.registration"), x.username, x.password, x.display_name);
}

struct login_attempt {
  std::string username;
  std::string password;
  std::string address; // the client's IP, for throttling
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, login_attempt& x) {
  return f(caf::meta::type_name("parley.login_attempt"), x.username, x.password, x.address);
}

/// A sign-in answer: a token, or (with MFA) a challenge to answer with a code first.
struct login_grant {
  std::string token; // empty while a second factor is still required
  int64_t expires_at = 0;
  accounts::user_profile user;
  std::string mfa_challenge;           // set when the next step is mfa.verify or MFA enrolment
  int64_t challenge_expires_at = 0;
  bool mfa_enrolment_required = false; // the organisation requires MFA and the user has none yet
  std::vector<std::string> recovery_codes; // shown once, when MFA is confirmed
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, login_grant& x) {
  return f(caf::meta::type_name("parley.login_grant"), x.token, x.expires_at, x.user, x.mfa_challenge,
           x.challenge_expires_at, x.mfa_enrolment_required, x.recovery_codes);
}

/// A sign-in or identity request from the REST edge. The accounts actor authenticates `bearer`
/// (and checks admin rights) itself; `body` is the request's JSON text.
struct account_command {
  std::string action;  // e.g. "password.change", "mfa.enroll", "admin.unlock"
  std::string bearer;  // the Authorization token, or ""
  std::string subject; // a username from the route, for admin actions
  std::string body;
  std::string address; // the client's IP, for throttling
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, account_command& x) {
  return f(caf::meta::type_name("parley.account_command"), x.action, x.bearer, x.subject, x.body, x.address);
}

/// What an administrator changes on a user record; the admin service has checked the admin's rights,
/// the accounts actor checks again that the user belongs to `org_id`.
struct user_change {
  uint64_t user_id = 0;
  uint64_t org_id = 0;
  std::string action; // "disable", "enable", "make_admin", "revoke_admin", "delete"
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_change& x) {
  return f(caf::meta::type_name("parley.user_change"), x.user_id, x.org_id, x.action);
}

/// A REST request signed with an API key (HMAC-SHA256 over the canonical request). The accounts
/// actor checks key, scope, signature, clock skew and nonce, then performs `action`.
struct signed_command {
  std::string action; // "me", "keys.temporary", "auth.token"
  std::string method;
  std::string path;
  std::string query;
  std::string body;
  std::string timestamp; // X-Parley-Date: unix seconds
  std::string nonce;     // X-Parley-Nonce
  std::string key_id;
  std::string signature; // lower-case hex
  std::string address;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signed_command& x) {
  return f(caf::meta::type_name("parley.signed_command"), x.action, x.method, x.path, x.query, x.body, x.timestamp,
           x.nonce, x.key_id, x.signature, x.address);
}

} // namespace parley::actors
