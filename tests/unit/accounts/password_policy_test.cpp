// The password policy tells users what is missing.
#include <catch2/catch.hpp>

#include "accounts/password_policy.hpp"

using parley::accounts::password_policy;

TEST_CASE("the default policy wants 10 characters of 3 classes", "[accounts][policy]") {
  password_policy policy;
  CHECK_FALSE(policy.check("Correct-horse-9"));
  CHECK(policy.check("Short-9")->find("at least 10") != std::string::npos);
  CHECK(policy.check("alllowercaseletters")->find("mix") != std::string::npos);
  CHECK_FALSE(policy.check("lowercase-and-digits-123"));
}

TEST_CASE("length counts characters, not UTF-8 bytes", "[accounts][policy]") {
  password_policy policy;
  policy.min_classes = 1;
  CHECK(policy.check("密码密码密码密码密")); // 9 characters, 27 bytes
  CHECK_FALSE(policy.check("密码密码密码密码密码"));
}

TEST_CASE("very long passwords are refused", "[accounts][policy]") {
  password_policy policy;
  CHECK(policy.check(std::string(300, 'a') + "A1-"));
}
