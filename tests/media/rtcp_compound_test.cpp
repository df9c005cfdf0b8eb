// Tests for compound RTCP iteration and the common header checks.
#include "media/rtcp_compound.hpp"

#include <catch2/catch.hpp>

#include "media/rtcp_pli.hpp"
#include "media/rtcp_receiver_report.hpp"
#include "media/rtcp_sdes.hpp"
#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::read_binary;

TEST_CASE("a receiver report followed by SDES is walked packet by packet", "[rtcp]") {
  const auto data = read_binary("rtcp/rr-sdes-compound.bin");
  CHECK_FALSE(validate_rtcp_compound(data));
  rtcp_compound c(data);
  const auto first = c.next();
  REQUIRE(first);
  CHECK(first->header.packet_type == rtcp_type::receiver_report);
  CHECK(first->bytes.size() == 32);
  const auto rr = rtcp_receiver_report::parse(first->bytes);
  REQUIRE(rr.ok());
  CHECK(rr->ssrc == 0x11223344);

  const auto second = c.next();
  REQUIRE(second);
  CHECK(second->header.packet_type == rtcp_type::sdes);
  const auto sdes = rtcp_sdes::parse(second->bytes);
  REQUIRE(sdes.ok());
  CHECK(sdes->cname(0x11223344) == "JlEickxOxY4W8fxV");

  CHECK_FALSE(c.next());
  CHECK_FALSE(c.error());
}

TEST_CASE("a compound with a lying length stops with an error", "[rtcp]") {
  auto data = read_binary("rtcp/rr-sdes-compound.bin");
  SECTION("second packet claims more than is left") {
    data[35] = 0x40;
    rtcp_compound c(data);
    CHECK(c.next());
    CHECK_FALSE(c.next());
    CHECK(c.error() == parse_error::truncated);
    CHECK(validate_rtcp_compound(data) == parse_error::truncated);
  }
  SECTION("wrong version") {
    data[0] = 0x41;
    CHECK(validate_rtcp_compound(data) == parse_error::bad_version);
  }
  SECTION("padding count beyond the packet") {
    data[32] |= 0x20;
    data[59] = 0x7f;
    CHECK(validate_rtcp_compound(data) == parse_error::bad_padding);
  }
}

TEST_CASE("reduced-size RTCP (a lone PLI) is a valid compound", "[rtcp]") {
  std::array<uint8_t, 12> buf{};
  REQUIRE(rtcp_pli{1, 2}.write(buf));
  CHECK_FALSE(validate_rtcp_compound(buf));
}
