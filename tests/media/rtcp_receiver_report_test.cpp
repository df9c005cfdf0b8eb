// Tests for receiver reports and their report blocks.
#include "media/rtcp_receiver_report.hpp"

#include <catch2/catch.hpp>

#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::read_binary;

TEST_CASE("receiver report block fields are read from the wire", "[rtcp]") {
  const auto data = read_binary("rtcp/rr-sdes-compound.bin");
  const auto rr = rtcp_receiver_report::parse(std::span<const uint8_t>(data).first(32));
  REQUIRE(rr.ok());
  REQUIRE(rr->reports.size() == 1);
  const auto& b = rr->reports[0];
  CHECK(b.ssrc == 0xdeadbeef);
  CHECK(b.fraction_lost == 0x10);
  CHECK(b.cumulative_lost == 5);
  CHECK(b.highest_sequence == 0x00011a2b);
  CHECK(b.jitter == 77);
  CHECK(b.last_sr == 0x12345678);
  CHECK(b.delay_since_last_sr == 0x9abc);
}

TEST_CASE("receiver report round trip keeps a negative cumulative loss", "[rtcp]") {
  rtcp_receiver_report rr;
  rr.ssrc = 1;
  rr.reports.push_back({2, 255, -3, 70000, 12, 0xaabbccdd, 65536});
  rr.reports.push_back({3, 0, 0x7FFFFF, 1, 0, 0, 0});
  std::array<uint8_t, 64> buf{};
  const auto n = rr.write(buf);
  REQUIRE(n == 8 + 48);
  const auto back = rtcp_receiver_report::parse(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(back.ok());
  CHECK(*back == rr);
  CHECK_FALSE(rr.write(std::span<uint8_t>(buf).first(40)));
}

TEST_CASE("receiver report count beyond its length is rejected", "[rtcp]") {
  auto data = read_binary("rtcp/rr-sdes-compound.bin");
  data[0] = 0x82;  // claims two blocks in a packet with room for one
  CHECK(rtcp_receiver_report::parse(std::span<const uint8_t>(data).first(32)).error() == parse_error::truncated);
  CHECK(rtcp_receiver_report::parse(std::span<const uint8_t>(data).subspan(32)).error() == parse_error::bad_type);
}
