// Text accepted for messages: any Unicode, but only well-formed UTF-8.
#include <catch2/catch.hpp>

#include "messaging/utf8.hpp"

using parley::messaging::is_valid_utf8;

TEST_CASE("well-formed UTF-8 of every plane is accepted", "[messaging][utf8]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("ça va — 你好 — 👋🏽 — 👩‍👩‍👧"));
  CHECK(is_valid_utf8("\xf4\x8f\xbf\xbf")); // U+10FFFF
}

TEST_CASE("malformed UTF-8 is refused", "[messaging][utf8]") {
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));         // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));     // a surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80")); // past U+10FFFF
  CHECK_FALSE(is_valid_utf8("abc\xe2\x82"));      // cut short
  CHECK_FALSE(is_valid_utf8("\x80"));             // a lone continuation byte
}
