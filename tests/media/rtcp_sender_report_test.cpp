// Tests for sender reports.
#include "media/rtcp_sender_report.hpp"

#include <catch2/catch.hpp>

using namespace parley::media;

TEST_CASE("sender report round trip", "[rtcp]") {
  rtcp_sender_report sr;
  sr.ssrc = 0x01020304;
  sr.ntp_timestamp = 0xe8f1a2b3c4d5e6f7ull;
  sr.rtp_timestamp = 90000;
  sr.packet_count = 1000;
  sr.octet_count = 1200000;
  sr.reports.push_back({7, 1, 2, 3, 4, 5, 6});
  std::array<uint8_t, 64> buf{};
  const auto n = sr.write(buf);
  REQUIRE(n == 52);
  CHECK(buf[0] == 0x81);
  CHECK(buf[1] == 200);
  CHECK(buf[3] == 12);  // length in words minus one
  const auto back = rtcp_sender_report::parse(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(back.ok());
  CHECK(*back == sr);
  CHECK(rtcp_sender_report::parse(std::span<const uint8_t>(buf).first(24)).error() == parse_error::truncated);
}
