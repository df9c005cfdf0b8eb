// Tokens are long, random, URL-safe, and only their digest is kept.
#include <set>

#include <catch2/catch.hpp>

#include "accounts/access_token.hpp"

using namespace parley::accounts;

TEST_CASE("tokens carry 256 random bits in 43 URL-safe characters", "[accounts][token]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto token = generate_token();
    CHECK(looks_like_token(token));
    CHECK(seen.insert(token).second);
  }
  CHECK_FALSE(looks_like_token("short"));
  CHECK_FALSE(looks_like_token(std::string(43, '+')));
}

TEST_CASE("the stored digest is a fixed-size SHA-256, not the token", "[accounts][token]") {
  auto token = generate_token();
  auto digest = token_digest(token);
  CHECK(digest.size() == 32);
  CHECK(digest != token);
  CHECK(token_digest(token) == digest);
}

TEST_CASE("ids round-trip through their hex form", "[accounts][token]") {
  uint64_t id = random_id();
  uint64_t back = 0;
  REQUIRE(id_from_hex(id_to_hex(id), back));
  CHECK(back == id);
  CHECK_FALSE(id_from_hex("xyz", back));
  CHECK_FALSE(id_from_hex("ABCDEF0123456789", back));
}
