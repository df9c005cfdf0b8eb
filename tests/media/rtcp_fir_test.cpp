// Tests for FIR.
#include "media/rtcp_fir.hpp"

#include <catch2/catch.hpp>

using namespace parley::media;

TEST_CASE("FIR round trip with two entries", "[rtcp]") {
  rtcp_fir fir{9, {{0x11111111, 3}, {0x22222222, 255}}};
  std::array<uint8_t, 64> buf{};
  const auto n = fir.write(buf);
  REQUIRE(n == 28);
  CHECK(buf[0] == 0x84);
  CHECK(buf[8] == 0);  // media SSRC unused
  const auto back = rtcp_fir::parse(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(back.ok());
  CHECK(*back == fir);
}
