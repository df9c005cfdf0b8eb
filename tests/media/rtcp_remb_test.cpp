// Tests for REMB.
#include "media/rtcp_remb.hpp"

#include <catch2/catch.hpp>

#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::from_hex;

TEST_CASE("REMB bitrate is mantissa shifted by exponent", "[rtcp]") {
  // exp 3, mantissa 0x3d090 (250000): 2 Mbit/s, one SSRC.
  const auto data = from_hex("8f ce 00 05 00 00 00 01 00 00 00 00 52 45 4d 42 01 0f d0 90 de ad be ef");
  const auto remb = rtcp_remb::parse(data);
  REQUIRE(remb.ok());
  CHECK(remb->bitrate_bps == 2000000);
  CHECK(remb->ssrcs == std::vector<uint32_t>{0xdeadbeef});
}

TEST_CASE("REMB round trip rounds large rates down to 18 significant bits", "[rtcp]") {
  rtcp_remb remb{1, 123456789, {1, 2, 3}};
  std::array<uint8_t, 64> buf{};
  const auto n = remb.write(buf);
  REQUIRE(n == 32);
  const auto back = rtcp_remb::parse(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(back.ok());
  CHECK(back->ssrcs == remb.ssrcs);
  CHECK(back->bitrate_bps <= remb.bitrate_bps);
  CHECK(back->bitrate_bps > remb.bitrate_bps - (remb.bitrate_bps >> 17));
  rtcp_remb exact{1, 300000, {}};
  REQUIRE(exact.write(buf));
  CHECK(rtcp_remb::parse(std::span<const uint8_t>(buf).first(20))->bitrate_bps == 300000);
}

TEST_CASE("REMB with an SSRC count beyond the packet is rejected", "[rtcp]") {
  const auto data = from_hex("8f ce 00 05 00 00 00 01 00 00 00 00 52 45 4d 42 09 0f d0 90 de ad be ef");
  CHECK(rtcp_remb::parse(data).error() == parse_error::truncated);
}
