// The SAML hand-over to the web client: a sign-in is taken once, only within two minutes, and
// the code comes out of the Cookie header among other cookies.
#include <catch2/catch.hpp>

#include "net/sso_handoff.hpp"

using parley::net::cookie_value;
using parley::net::sso_handoff;

TEST_CASE("an SSO hand-over is taken once with its code", "[net][sso]") {
  sso_handoff handoffs;
  auto code = handoffs.put(R"({"token":"t"})", 1000);
  REQUIRE(code.size() == 43);
  CHECK_FALSE(handoffs.take("not-the-code-" + code.substr(13), 1001));
  auto answer = handoffs.take(code, 1001);
  REQUIRE(answer);
  CHECK(*answer == R"({"token":"t"})");
  CHECK_FALSE(handoffs.take(code, 1002)); // once only
  CHECK_FALSE(handoffs.take("", 1002));
}

TEST_CASE("an SSO hand-over not taken within two minutes is gone", "[net][sso]") {
  sso_handoff handoffs;
  auto late = handoffs.put("late", 1000);
  auto in_time = handoffs.put("in time", 1000);
  CHECK(handoffs.take(in_time, 1000 + sso_handoff::lifetime_seconds - 1) == std::optional<std::string>{"in time"});
  CHECK_FALSE(handoffs.take(late, 1000 + sso_handoff::lifetime_seconds));
}

TEST_CASE("SSO hand-overs are bounded, expired ones make room", "[net][sso]") {
  sso_handoff handoffs;
  for (std::size_t i = 0; i < sso_handoff::max_pending; ++i)
    REQUIRE_FALSE(handoffs.put("x", 1000).empty());
  CHECK(handoffs.put("one too many", 1000).empty());
  CHECK_FALSE(handoffs.put("after expiry", 1000 + sso_handoff::lifetime_seconds).empty());
}

TEST_CASE("the hand-over cookie is found among others in a Cookie header", "[net][sso]") {
  CHECK(cookie_value("parley_sso=abc", "parley_sso") == "abc");
  CHECK(cookie_value("theme=dark; parley_sso=abc; lang=en", "parley_sso") == "abc");
  CHECK(cookie_value("xparley_sso=abc", "parley_sso").empty());
  CHECK(cookie_value("", "parley_sso").empty());
  CHECK(cookie_value("parley_sso", "parley_sso").empty());
}
