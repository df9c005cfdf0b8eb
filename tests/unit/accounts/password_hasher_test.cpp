// Argon2id hashing: the right password verifies, a wrong one or a damaged hash does not.
#include <catch2/catch.hpp>

#include "accounts/password_hasher.hpp"

using namespace parley::accounts;

TEST_CASE("a password verifies against its own Argon2id hash only", "[accounts][password]") {
  password_hasher hasher{argon2_cost{1, 8 * 1024}};
  auto hash = hasher.hash("Correct-horse-9");
  REQUIRE(hash);
  CHECK(hash->rfind("$argon2id$", 0) == 0);
  CHECK(hasher.verify(*hash, "Correct-horse-9"));
  CHECK_FALSE(hasher.verify(*hash, "correct-horse-9"));
  CHECK_FALSE(hasher.verify(*hash, ""));
  CHECK_FALSE(hasher.verify("", "Correct-horse-9"));
  CHECK_FALSE(hasher.verify("$argon2id$garbage", "Correct-horse-9"));
}

TEST_CASE("the same password hashes differently each time", "[accounts][password]") {
  password_hasher hasher{argon2_cost{1, 8 * 1024}};
  CHECK(hasher.hash("Correct-horse-9") != hasher.hash("Correct-horse-9"));
}

TEST_CASE("a hash made with another cost asks to be redone", "[accounts][password]") {
  password_hasher cheap{argon2_cost{1, 8 * 1024}};
  password_hasher standard{argon2_cost{2, 19 * 1024}};
  auto hash = cheap.hash("Correct-horse-9");
  REQUIRE(hash);
  CHECK(standard.verify(*hash, "Correct-horse-9"));
  CHECK(standard.needs_rehash(*hash));
  CHECK_FALSE(cheap.needs_rehash(*hash));
}
