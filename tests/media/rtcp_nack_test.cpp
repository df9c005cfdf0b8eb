// Tests for generic NACK: PID+BLP expansion, building from a list, wraparound.
#include "media/rtcp_nack.hpp"

#include <catch2/catch.hpp>

#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::from_hex;

TEST_CASE("NACK PID and BLP expand to the lost sequence numbers", "[rtcp]") {
  // PID 100, BLP 0b1000000000000101: 101, 103 and 116 lost as well.
  const auto data = from_hex("81 cd 00 03 00 00 00 01 00 00 00 02 00 64 80 05");
  const auto nack = rtcp_nack::parse(data);
  REQUIRE(nack.ok());
  CHECK(nack->sender_ssrc == 1);
  CHECK(nack->media_ssrc == 2);
  CHECK(nack->sequences() == std::vector<uint16_t>{100, 101, 103, 116});
}

TEST_CASE("NACK built from a list packs 17 sequence numbers per item across wraparound", "[rtcp]") {
  const std::vector<uint16_t> lost = {65530, 65531, 65535, 0, 10, 11, 40};
  const auto nack = rtcp_nack::from_sequences(5, 6, lost);
  REQUIRE(nack.items.size() == 3);
  CHECK(nack.items[0].packet_id == 65530);  // 65530..10 fit in one item (10 is PID+16)
  CHECK(nack.items[1].packet_id == 11);
  CHECK(nack.items[1].lost_bitmask == 0);  // 40 is 29 past 11: an item of its own
  CHECK(nack.items[2].packet_id == 40);
  CHECK(nack.sequences() == std::vector<uint16_t>{65530, 65531, 65535, 0, 10, 11, 40});

  std::array<uint8_t, 64> buf{};
  const auto n = nack.write(buf);
  REQUIRE(n == 24);
  const auto back = rtcp_nack::parse(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(back.ok());
  CHECK(*back == nack);
}

TEST_CASE("NACK with a broken FCI is rejected", "[rtcp]") {
  CHECK(rtcp_nack::parse(from_hex("81 cd 00 02 00 00 00 01 00 00 00 02")).error() == parse_error::bad_length);
  CHECK(rtcp_nack::parse(from_hex("81 ce 00 03 00 00 00 01 00 00 00 02 00 64 80 05")).error() ==
        parse_error::bad_type);
}

TEST_CASE("NACK written straight from sequence numbers matches the item encoder", "[rtcp]") {
  const std::vector<uint16_t> lost = {65530, 65531, 65535, 0, 10, 11, 40};
  std::vector<uint8_t> direct(64);
  const auto size = rtcp_nack::write_sequences(5, 6, lost, direct);
  REQUIRE(size);
  direct.resize(*size);
  const auto nack = rtcp_nack::from_sequences(5, 6, lost);
  std::vector<uint8_t> built(nack.size());
  REQUIRE(nack.write(built));
  CHECK(direct == built);
  std::vector<uint16_t> seen;
  const auto parsed = rtcp_nack::parse(direct);
  REQUIRE(parsed.ok());
  rtcp_nack::for_each_sequence_in(std::span<const uint8_t>(direct).subspan(12), [&](uint16_t s) { seen.push_back(s); });
  CHECK(seen == lost);
  // Too small a buffer, or nothing to ask for: no packet.
  std::vector<uint8_t> tiny(15);
  CHECK_FALSE(rtcp_nack::write_sequences(5, 6, lost, tiny));
  CHECK_FALSE(rtcp_nack::write_sequences(5, 6, {}, direct));
}
