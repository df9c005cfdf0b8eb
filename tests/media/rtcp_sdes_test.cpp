// Tests for SDES parsing.
#include "media/rtcp_sdes.hpp"

#include <catch2/catch.hpp>

#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::from_hex;

TEST_CASE("SDES with two chunks yields both CNAMEs", "[rtcp]") {
  const auto data = from_hex(
      "82 ca 00 06"
      "00 00 00 01 01 02 61 62 00 00 00 00"  // ssrc 1: CNAME "ab", end, pad
      "00 00 00 02 01 03 78 79 7a 00 00 00");  // ssrc 2: CNAME "xyz"
  const auto sdes = rtcp_sdes::parse(data);
  REQUIRE(sdes.ok());
  REQUIRE(sdes->chunks.size() == 2);
  CHECK(sdes->cname(1) == "ab");
  CHECK(sdes->cname(2) == "xyz");
  CHECK_FALSE(sdes->cname(3));
}

TEST_CASE("SDES item running past the packet is rejected", "[rtcp]") {
  const auto data = from_hex("81 ca 00 02 00 00 00 01 01 20 61 62");
  CHECK(rtcp_sdes::parse(data).error() == parse_error::truncated);
}
