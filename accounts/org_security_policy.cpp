// An organisation's sign-in rules; they are stored in its record (organisation_repository).
#include "accounts/org_security_policy.hpp"

#include <algorithm>

#include "accounts/organisation_repository.hpp"

namespace parley::accounts {

password_policy org_security_policy::password_rules() const {
  password_policy rules;
  rules.min_length = password_min_length;
  rules.min_classes = password_min_classes;
  return rules;
}

std::optional<std::string> org_security_policy::validate() const {
  if (password_min_length < 8 || password_min_length > 128)
    return "password_min_length must be 8-128";
  if (password_min_classes < 1 || password_min_classes > 4)
    return "password_min_classes must be 1-4";
  if (password_max_age_days > 3650)
    return "password_max_age_days must be 0-3650";
  if (password_history > 24)
    return "password_history must be 0-24";
  if (lockout_threshold > 100)
    return "lockout_threshold must be 0-100";
  if (lockout_seconds < 1 || lockout_seconds > max_lockout_seconds)
    return "lockout_seconds must be 1-86400";
  return std::nullopt;
}

bool org_security_policy::password_expired(const user_record& user, int64_t now) const {
  if (user.must_change_password)
    return true;
  if (password_max_age_days == 0)
    return false;
  return now - user.password_changed_at >= int64_t{password_max_age_days} * 86400;
}

void org_security_policy::record_failure(user_record& user, int64_t now) const {
  user.failed_logins = std::min<uint32_t>(user.failed_logins + 1, 1000);
  if (lockout_threshold == 0 || user.failed_logins < lockout_threshold)
    return;
  auto doublings = std::min<uint32_t>(user.failed_logins - lockout_threshold, 20);
  auto seconds = std::min<int64_t>(int64_t{lockout_seconds} << doublings, max_lockout_seconds);
  user.locked_until = now + seconds;
}

org_security_policy load_org_policy(storage::database& db, uint64_t org_id, const org_security_policy& defaults) {
  auto org = organisation_repository{db}.find(org_id);
  return org ? org->settings.effective_policy(defaults) : defaults;
}

} // namespace parley::accounts
