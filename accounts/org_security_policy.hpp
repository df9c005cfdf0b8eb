// An organisation's sign-in rules: password strength, age and reuse, lockout, and MFA.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <msgpack.hpp>

#include "accounts/password_policy.hpp"
#include "accounts/user_record.hpp"

namespace parley::storage {
class database;
} // namespace parley::storage

namespace parley::accounts {

struct org_security_policy {
  uint32_t password_min_length = 10;
  uint32_t password_min_classes = 3;
  uint32_t password_max_age_days = 0; // 0: passwords do not expire
  uint32_t password_history = 5;      // a new password may not equal the current or the last N
  uint32_t lockout_threshold = 10;    // consecutive failures that lock the account; 0: never
  uint32_t lockout_seconds = 60;      // first lock; doubles with each further failure (max 24 h)
  bool require_mfa = false;           // every member must sign in with TOTP
  MSGPACK_DEFINE_MAP(password_min_length, password_min_classes, password_max_age_days, password_history,
                     lockout_threshold, lockout_seconds, require_mfa)

  password_policy password_rules() const;
  /// Nullopt if the values make sense, else what is wrong.
  std::optional<std::string> validate() const;

  /// True if the user's password is older than the maximum age, or an admin asked for a change.
  bool password_expired(const user_record& user, int64_t now) const;
  /// Counts one wrong password; locks the account once the threshold is reached.
  void record_failure(user_record& user, int64_t now) const;
};

/// The longest lock, however many failures follow.
inline constexpr int64_t max_lockout_seconds = 24 * 3600;

/// The policy in force for `org_id`: the one its administrators set in the organisation's
/// settings, or `defaults` (from the server's flags) if they never set one.
org_security_policy load_org_policy(storage::database& db, uint64_t org_id, const org_security_policy& defaults);

} // namespace parley::accounts
