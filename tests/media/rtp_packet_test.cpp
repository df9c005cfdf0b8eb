// Tests for the RTP packet view: header fields, RFC 8285 extensions, padding, rewriting.
#include "media/rtp_packet.hpp"

#include <catch2/catch.hpp>

#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::from_hex;

namespace {

// Shaped like a Chromium VP8 packet with the extensions its offer negotiates:
// one-byte form, abs-send-time (id 2, 3 bytes), transport-wide-cc (id 3, 2 bytes),
// mid (id 4, "1"), then one padding byte to the 32-bit boundary.
std::vector<uint8_t> chromium_like_packet() {
  return from_hex(
      "90 e0 1a 2b 00 01 e2 40 de ad be ef"  // V=2 X=1, M=1 PT=96, seq 0x1a2b, ts 123456, ssrc
      "be de 00 03"                          // one-byte profile, 3 words
      "22 12 34 56"                          // id 2 len 3
      "31 00 07"                             // id 3 len 2: twcc seq 7
      "40 31"                                // id 4 len 1: "1"
      "00 00 00"                             // padding to 12 bytes
      "10 02 00 9d 01 2a");                  // VP8 payload
}

}  // namespace

TEST_CASE("RTP fixed header and one-byte extensions", "[rtp]") {
  const auto data = chromium_like_packet();
  const auto p = rtp_packet_view::parse(data);
  REQUIRE(p.ok());
  CHECK(p->version() == 2);
  CHECK(p->marker());
  CHECK(p->payload_type() == 96);
  CHECK(p->sequence() == 0x1a2b);
  CHECK(p->timestamp() == 123456);
  CHECK(p->ssrc() == 0xdeadbeef);
  CHECK(p->csrc_count() == 0);
  CHECK(p->has_extension());
  CHECK(p->extension_profile() == rtp_one_byte_extension_profile);
  CHECK(p->header_size() == 28);
  CHECK(p->payload().size() == 6);
  CHECK(p->payload()[0] == 0x10);
  CHECK(p->padding_size() == 0);

  const auto abs_send_time = p->extension(2);
  REQUIRE(abs_send_time);
  CHECK(abs_send_time->size() == 3);
  CHECK((*abs_send_time)[0] == 0x12);
  const auto twcc = p->extension(3);
  REQUIRE(twcc);
  CHECK(twcc->size() == 2);
  CHECK((*twcc)[1] == 7);
  const auto mid = p->extension(4);
  REQUIRE(mid);
  CHECK(std::string(mid->begin(), mid->end()) == "1");
  CHECK_FALSE(p->extension(5));
  CHECK_FALSE(p->extension(15));
}

TEST_CASE("RTP two-byte extensions, CSRCs and padding", "[rtp]") {
  const auto data = from_hex(
      "b2 6f 00 05 00 00 00 64 00 00 00 2a"  // V=2 P=1 X=1 CC=2, PT=111, seq 5, ts 100, ssrc 42
      "00 00 00 01 00 00 00 02"              // CSRCs
      "10 00 00 02"                          // two-byte profile, 2 words
      "0a 03 71 3a 68 00 00 00"              // id 10 len 3 "q:h", then padding
      "aa bb"                                // payload
      "00 00 03");                           // 3 bytes of padding
  const auto p = rtp_packet_view::parse(data);
  REQUIRE(p.ok());
  CHECK(p->has_padding());
  CHECK(p->csrc_count() == 2);
  CHECK(p->csrc(0) == 1);
  CHECK(p->csrc(1) == 2);
  CHECK(p->payload_type() == 111);
  CHECK_FALSE(p->marker());
  const auto rid = p->extension(10);
  REQUIRE(rid);
  CHECK(std::string(rid->begin(), rid->end()) == "q:h");
  CHECK(p->padding_size() == 3);
  REQUIRE(p->payload().size() == 2);
  CHECK(p->payload()[1] == 0xbb);
}

TEST_CASE("RTP setters rewrite the header in place", "[rtp]") {
  auto data = chromium_like_packet();
  const auto before_payload = std::vector<uint8_t>(data.begin() + 28, data.end());
  auto p = rtp_packet::parse(data);
  REQUIRE(p.ok());
  p->set_ssrc(0x01020304);
  p->set_sequence(65535);
  p->set_timestamp(0xfffffff0u);
  p->set_payload_type(100);
  p->set_marker(false);
  const auto q = rtp_packet_view::parse(data);
  REQUIRE(q.ok());
  CHECK(q->ssrc() == 0x01020304);
  CHECK(q->sequence() == 65535);
  CHECK(q->timestamp() == 0xfffffff0u);
  CHECK(q->payload_type() == 100);
  CHECK_FALSE(q->marker());
  CHECK(q->extension(4));
  CHECK(std::vector<uint8_t>(data.begin() + 28, data.end()) == before_payload);

  SECTION("an extension value can be overwritten through the mutable view") {
    auto twcc = p->extension(3);
    REQUIRE(twcc);
    (*twcc)[0] = 0x12;
    (*twcc)[1] = 0x34;
    CHECK((*rtp_packet_view::parse(data)->extension(3))[0] == 0x12);
  }
}

TEST_CASE("RTP length fields are never trusted", "[rtp]") {
  auto data = chromium_like_packet();
  SECTION("short") { CHECK(rtp_packet_view::parse(std::span<const uint8_t>(data).first(11)).error() == parse_error::truncated); }
  SECTION("version") {
    data[0] = 0x50;
    CHECK(rtp_packet_view::parse(data).error() == parse_error::bad_version);
  }
  SECTION("CSRC count beyond the buffer") {
    data[0] = 0x9f;
    CHECK_FALSE(rtp_packet_view::parse(std::span<const uint8_t>(data).first(40)).ok());
  }
  SECTION("extension length beyond the buffer") {
    data[15] = 0x40;
    CHECK(rtp_packet_view::parse(data).error() == parse_error::truncated);
  }
  SECTION("element length beyond the block") {
    data[16] = 0x2f;  // id 2, 16 bytes, but the block is 12
    CHECK(rtp_packet_view::parse(data).error() == parse_error::bad_extension);
  }
  SECTION("padding longer than the payload") {
    data[0] |= 0x20;
    data.back() = 0x40;
    CHECK(rtp_packet_view::parse(data).error() == parse_error::bad_padding);
  }
  SECTION("zero padding count") {
    data[0] |= 0x20;
    data.back() = 0;
    CHECK(rtp_packet_view::parse(data).error() == parse_error::bad_padding);
  }
}

TEST_CASE("RTP and RTCP are told apart by the second byte", "[rtp]") {
  const auto rtp = chromium_like_packet();
  CHECK(looks_like_rtp(rtp));
  CHECK_FALSE(looks_like_rtcp(rtp));
  const auto rr = from_hex("81 c9 00 07 00 00 00 01");
  CHECK(looks_like_rtcp(rr));
  CHECK_FALSE(looks_like_rtp(rr));
}
