// Tests for PLI.
#include "media/rtcp_pli.hpp"

#include <catch2/catch.hpp>

using namespace parley::media;

TEST_CASE("PLI is 12 bytes of PSFB FMT 1 and round trips", "[rtcp]") {
  std::array<uint8_t, 12> buf{};
  REQUIRE(rtcp_pli{0xaaaa, 0xbbbb}.write(buf) == 12);
  CHECK(buf[0] == 0x81);
  CHECK(buf[1] == 206);
  CHECK(buf[3] == 2);
  const auto back = rtcp_pli::parse(buf);
  REQUIRE(back.ok());
  CHECK(back->media_ssrc == 0xbbbb);
  CHECK_FALSE(rtcp_pli{}.write(std::span<uint8_t>(buf).first(11)));
}
