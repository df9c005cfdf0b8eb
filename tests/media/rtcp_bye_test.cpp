// Tests for BYE.
#include "media/rtcp_bye.hpp"

#include <catch2/catch.hpp>

using namespace parley::media;

TEST_CASE("BYE round trip with and without a reason", "[rtcp]") {
  std::array<uint8_t, 64> buf{};
  rtcp_bye bye{{1, 2}, "consumer closed"};
  const auto n = bye.write(buf);
  REQUIRE(n == 4 + 8 + 16);
  const auto back = rtcp_bye::parse(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(back.ok());
  CHECK(*back == bye);

  rtcp_bye plain{{0xabcdef01}, ""};
  const auto m = plain.write(buf);
  REQUIRE(m == 8);
  CHECK(*rtcp_bye::parse(std::span<const uint8_t>(buf).first(*m)) == plain);
}
