// Lockout growth, expiry arithmetic, validation and recovery codes of an organisation's policy.
#include <cctype>

#include <catch2/catch.hpp>

#include "accounts/org_security_policy.hpp"
#include "accounts/recovery_codes.hpp"

using namespace parley::accounts;

TEST_CASE("failures lock an account at the threshold, each further one doubling the lock", "[accounts][policy]") {
  org_security_policy policy;
  policy.lockout_threshold = 3;
  policy.lockout_seconds = 60;
  user_record user;
  policy.record_failure(user, 1000);
  policy.record_failure(user, 1000);
  CHECK(user.locked_until == 0);
  policy.record_failure(user, 1000);
  CHECK(user.locked_until == 1060);
  policy.record_failure(user, 2000);
  CHECK(user.locked_until == 2120);
  for (int i = 0; i < 40; ++i)
    policy.record_failure(user, 3000);
  CHECK(user.locked_until == 3000 + max_lockout_seconds);
  policy.lockout_threshold = 0;
  user_record never;
  for (int i = 0; i < 50; ++i)
    policy.record_failure(never, 1000);
  CHECK(never.locked_until == 0);
}

TEST_CASE("a password expires after the maximum age or when an admin says so", "[accounts][policy]") {
  org_security_policy policy;
  user_record user;
  user.password_changed_at = 1000;
  CHECK_FALSE(policy.password_expired(user, 1000 + 400 * 86400)); // 0: never
  policy.password_max_age_days = 90;
  CHECK_FALSE(policy.password_expired(user, 1000 + 90 * 86400 - 1));
  CHECK(policy.password_expired(user, 1000 + 90 * 86400));
  policy.password_max_age_days = 0;
  user.must_change_password = true;
  CHECK(policy.password_expired(user, 1000));
}

TEST_CASE("policy values outside sensible ranges are refused", "[accounts][policy]") {
  org_security_policy policy;
  CHECK_FALSE(policy.validate().has_value());
  policy.password_min_length = 4;
  CHECK(policy.validate().has_value());
  policy = {};
  policy.password_min_classes = 5;
  CHECK(policy.validate().has_value());
  policy = {};
  policy.lockout_seconds = 0;
  CHECK(policy.validate().has_value());
}

TEST_CASE("recovery codes are stored as digests and each works once", "[accounts][mfa]") {
  auto codes = generate_recovery_codes();
  REQUIRE(codes.size() == recovery_code_count);
  std::vector<std::string> stored;
  for (const auto& code : codes) {
    CHECK(code.size() == 11);
    stored.push_back(recovery_code_digest(code));
    CHECK(stored.back() != code);
  }
  auto upper = codes[3];
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(consume_recovery_code(stored, upper));
  CHECK_FALSE(consume_recovery_code(stored, codes[3]));
  CHECK(stored.size() == recovery_code_count - 1);
  CHECK_FALSE(consume_recovery_code(stored, "aaaaa-aaaaa"));
}
