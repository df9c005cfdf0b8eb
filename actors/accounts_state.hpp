// The accounts actor's state and the helpers its handler files share. The state of record is the
// store; this actor holds throttling, registrations in progress, caches of the MFA challenges and
// request nonces (both also on disk), and the user records it has written but the store has not
// yet committed. This actor is the one writer of user records: other services ask it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "accounts/account_repository.hpp"
#include "accounts/login_throttle.hpp"
#include "accounts/mfa_challenge_repository.hpp"
#include "accounts/nonce_cache.hpp"
#include "accounts/org_security_policy.hpp"
#include "actors/accounts_messages.hpp"
#include "actors/node_context.hpp"
#include "storage/write_set.hpp"

namespace parley::actors {

/// A password was right and a second factor is due: verify a TOTP code, or enrol first.
using mfa_challenge = accounts::mfa_challenge_record;

/// A user record written (or erased: nullopt) whose write the store has not confirmed yet.
struct staged_user {
  std::optional<accounts::user_record> record;
  uint32_t writes_in_flight = 0;
};

struct accounts_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  caf::actor workers;
  std::unique_ptr<accounts::account_repository> repository;
  accounts::login_throttle throttle;
  std::set<std::string> registering; // usernames claimed by a registration in progress
  std::string dummy_hash;            // verified against when a username does not exist
  std::unordered_map<std::string, mfa_challenge> challenges; // by SHA-256 of the challenge text
  std::unordered_map<uint64_t, staged_user> staged_users;   // by user id
  accounts::nonce_cache nonces; // "key_id:nonce" of signed requests inside the skew window
  std::unordered_map<std::string, int64_t> saml_requests; // AuthnRequest ID → unix expiry
  std::unordered_map<std::string, int64_t> saml_seen;     // assertion IDs in flight or recently used
  static inline const char* name = "parley.accounts";

  /// The user as this actor last wrote it (committed or not): every read-modify-write of a user
  /// record goes through these, so two changes in flight never overwrite each other.
  std::optional<accounts::user_record> find_user(uint64_t id) const;
  std::optional<accounts::user_record> find_user_by_name(std::string_view normalized) const;

  accounts::org_security_policy policy_of(uint64_t org_id) const {
    return accounts::load_org_policy(*ctx->db, org_id, ctx->accounts.org_defaults);
  }
};

using accounts_actor = caf::stateful_actor<accounts_state>;

inline constexpr auto worker_timeout = std::chrono::seconds{30};
inline constexpr auto store_timeout = std::chrono::seconds{30};
inline constexpr auto challenge_lifetime = std::chrono::minutes{5};
inline constexpr uint32_t challenge_max_failures = 5;
inline constexpr size_t max_challenges = 10000;

/// Writes `writes` durably, then calls `done` (nullopt) or `done(error)`. User records in `writes`
/// are readable through find_user at once, before the store commits them.
void write_then(accounts_actor* self, storage::write_set writes,
                std::function<void(std::optional<caf::error>)> done);

/// Issues a sign-in token for `user`, committing `extra` writes in the same batch.
void issue_token(accounts_actor* self, caf::typed_response_promise<login_grant> rp, const accounts::user_record& user,
                 storage::write_set extra = {}, std::vector<std::string> recovery_codes = {});

/// A new MFA challenge for `user_id`; the grant carries its text and expiry. The challenge is
/// added to `writes`, which the caller commits before handing the grant out.
login_grant open_challenge(accounts_actor* self, const accounts::user_record& user, bool enrolment,
                           storage::write_set& writes);

/// Forgets a challenge (signed in, or too many wrong codes), on disk too (fire and forget: a
/// challenge that outlives this only until its expiry is no risk).
void close_challenge(accounts_actor* self, const std::string& digest);

/// Whether `bearer` is a token issued from an API key (it carries scopes); such a token may not
/// manage the account (keys, MFA, phone, password, admin), whatever its scopes.
bool is_scoped_bearer(const accounts_state& st, const std::string& bearer);

/// The signed-in user behind a bearer token; nullopt if invalid, expired or disabled.
std::optional<accounts::user_record> bearer_user(const accounts_state& st, const std::string& bearer);

/// (account_atom, account_command) handlers: password change, admin, organisation policy, MFA enrolment.
caf::result<std::string> handle_account_command(accounts_actor* self, account_command& cmd);
/// mfa.enroll: a new pending TOTP secret, its otpauth:// URI and QR code.
caf::result<std::string> handle_mfa_enroll(accounts_actor* self, account_command& cmd);
/// keys.create, keys.list, keys.revoke, admin.service_account.create.
caf::result<std::string> handle_key_command(accounts_actor* self, account_command& cmd);
/// (signed_atom, signed_command): verify an API-key signature, then me / keys.temporary / auth.token.
caf::result<std::string> handle_signed_command(accounts_actor* self, signed_command& cmd);

/// phone.start (send an SMS code) and phone.verify.
caf::result<std::string> handle_phone_command(accounts_actor* self, account_command& cmd);
/// saml.login: a new AuthnRequest; answers {"redirect": IdP URL}.
caf::result<std::string> handle_saml_login(accounts_actor* self, account_command& cmd);
/// saml.acs: validate the IdP's POSTed Response, provision the user just in time, issue a token.
caf::result<login_grant> handle_saml_acs(accounts_actor* self, account_command& cmd);

/// (grant_atom, account_command) handlers: mfa.verify and mfa.confirm.
caf::result<login_grant> handle_grant_command(accounts_actor* self, account_command& cmd);

} // namespace parley::actors
