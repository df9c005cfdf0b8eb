// A stored account, and the profile of it that other parts of the server may see.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <msgpack.hpp>

namespace parley::accounts {

/// What sessions, meetings and clients know of a user: never the password hash.
struct user_profile {
  uint64_t id = 0;
  std::string username;
  std::string display_name;
  bool is_admin = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_profile& x) {
  return f(caf::meta::type_name("parley.accounts.user_profile"), x.id, x.username, x.display_name,
           x.is_admin);
}

struct user_record {
  uint64_t id = 0;
  std::string username; // as registered; lookups are case-insensitive
  std::string display_name;
  std::string password_hash; // Argon2id PHC string
  int64_t created_at = 0;    // unix seconds
  bool is_admin = false;
  bool disabled = false;
  uint64_t org_id = 1; // accounts::default_org_id; records written before organisations decode to it
  // Sign-in and identity (fields absent from older records decode to these defaults).
  bool is_service = false;                   // a service account: signs in only with API keys
  std::string external_id;                   // "saml:<NameID>" for users provisioned by SAML sign-in
  int64_t password_changed_at = 0;           // unix seconds; 0: created before policies existed
  std::vector<std::string> password_history; // earlier Argon2id hashes, newest first
  bool must_change_password = false;         // set by an admin: change at next sign-in
  uint32_t failed_logins = 0;                // consecutive wrong passwords
  int64_t locked_until = 0;                  // unix seconds
  bool mfa_enabled = false;
  std::string mfa_secret;                    // raw TOTP key (20 bytes) once confirmed
  std::string mfa_pending_secret;            // enrolled but not yet confirmed with a code
  int64_t mfa_last_step = 0;                 // last accepted TOTP time step: a code works once
  std::vector<std::string> recovery_codes;   // SHA-256 digests of unused recovery codes
  std::string phone;                         // E.164, once verified by SMS
  bool phone_verified = false;
  std::string phone_pending;                 // the number a code was sent to
  std::string phone_code_hash;               // SHA-256 of the pending SMS code
  int64_t phone_code_expires = 0;            // unix seconds
  int64_t phone_code_sent_at = 0;
  uint32_t phone_code_failures = 0;
  MSGPACK_DEFINE_MAP(id, username, display_name, password_hash, created_at, is_admin, disabled, org_id, is_service, external_id,
                     password_changed_at, password_history, must_change_password, failed_logins, locked_until, mfa_enabled,
                     mfa_secret, mfa_pending_secret, mfa_last_step, recovery_codes, phone, phone_verified, phone_pending,
                     phone_code_hash, phone_code_expires, phone_code_sent_at, phone_code_failures)

  user_profile profile() const { return user_profile{id, username, display_name, is_admin}; }
};

/// A sign-in token's server-side record, stored under the token's digest.
struct token_record {
  uint64_t user_id = 0;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  // Tokens issued from an API key carry its limits: empty scopes means a full sign-in.
  std::vector<std::string> scopes;
  uint64_t meeting_id = 0; // non-zero: the session may join only this meeting
  MSGPACK_DEFINE_MAP(user_id, created_at, expires_at, scopes, meeting_id)
};

} // namespace parley::accounts
