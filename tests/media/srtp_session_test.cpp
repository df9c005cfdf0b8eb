// Tests for SRTP/SRTCP protect and unprotect with each negotiated profile, tamper and replay.
#include "media/srtp_session.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <numeric>
#include <vector>

using namespace parley::media;

namespace {

std::vector<uint8_t> master_for(srtp_profile p, uint8_t seed) {
  std::vector<uint8_t> m(srtp_master_length(p));
  std::iota(m.begin(), m.end(), seed);
  return m;
}

// A minimal RTP packet: V=2, PT 111, given sequence number, SSRC 0x11223344, payload.
size_t write_rtp(std::span<uint8_t> buf, uint16_t seq) {
  const std::array<uint8_t, 12> header = {0x80, 111, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq),
                                          0, 0, 0x10, 0, 0x11, 0x22, 0x33, 0x44};
  std::copy(header.begin(), header.end(), buf.begin());
  for (size_t i = 0; i < 160; ++i) buf[12 + i] = static_cast<uint8_t>(i);
  return 12 + 160;
}

// An RTCP receiver report with no report blocks (PT 201, length 1).
size_t write_rtcp(std::span<uint8_t> buf) {
  const std::array<uint8_t, 8> rr = {0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44};
  std::copy(rr.begin(), rr.end(), buf.begin());
  return rr.size();
}

}  // namespace

TEST_CASE("init-once helper survives repeated use", "[srtp]") {
  CHECK(ensure_srtp_initialized());
  CHECK(ensure_srtp_initialized());
}

TEST_CASE("SRTP round trip for every profile, with tamper and replay rejected", "[srtp]") {
  const auto profile = GENERATE(srtp_profile::aes_cm_128_hmac_sha1_80, srtp_profile::aead_aes_128_gcm,
                                srtp_profile::aead_aes_256_gcm);
  CAPTURE(to_string(profile));
  const auto key = master_for(profile, 7);
  auto out = srtp_session::create(srtp_session::direction::outbound, profile, key);
  auto in = srtp_session::create(srtp_session::direction::inbound, profile, key);
  REQUIRE(out);
  REQUIRE(in);

  std::array<uint8_t, 1500> buf{};
  std::array<uint8_t, 1500> plain{};
  const size_t plain_len = write_rtp(plain, 1000);
  std::copy_n(plain.begin(), plain_len, buf.begin());
  size_t len = plain_len;
  REQUIRE(out->protect_rtp(buf, len) == srtp_status::ok);
  // The tag: 10 bytes for HMAC-SHA1-80, 16 for GCM.
  CHECK(len == plain_len + (profile == srtp_profile::aes_cm_128_hmac_sha1_80 ? 10 : 16));
  CHECK_FALSE(std::equal(plain.begin() + 12, plain.begin() + static_cast<long>(plain_len), buf.begin() + 12));
  const std::vector<uint8_t> wire(buf.begin(), buf.begin() + static_cast<long>(len));

  SECTION("unprotect restores the packet") {
    REQUIRE(in->unprotect_rtp(buf, len) == srtp_status::ok);
    CHECK(len == plain_len);
    CHECK(std::equal(plain.begin(), plain.begin() + static_cast<long>(plain_len), buf.begin()));

    SECTION("the same packet again is a replay") {
      std::copy(wire.begin(), wire.end(), buf.begin());
      size_t again = wire.size();
      CHECK(in->unprotect_rtp(buf, again) == srtp_status::replay);
    }
  }
  SECTION("a flipped payload bit fails authentication") {
    buf[40] ^= 0x01;
    CHECK(in->unprotect_rtp(buf, len) == srtp_status::auth_fail);
  }
  SECTION("a flipped tag bit fails authentication") {
    buf[len - 1] ^= 0x80;
    CHECK(in->unprotect_rtp(buf, len) == srtp_status::auth_fail);
  }
  SECTION("another key fails authentication") {
    auto stranger = srtp_session::create(srtp_session::direction::inbound, profile, master_for(profile, 9));
    REQUIRE(stranger);
    CHECK(stranger->unprotect_rtp(buf, len) == srtp_status::auth_fail);
  }
  SECTION("RTCP round trip and tamper") {
    std::array<uint8_t, 256> rtcp{};
    size_t n = write_rtcp(rtcp);
    REQUIRE(out->protect_rtcp(rtcp, n) == srtp_status::ok);
    CHECK(n > 8 + 4);  // SRTCP index plus tag
    std::array<uint8_t, 256> copy = rtcp;
    size_t copy_len = n;
    REQUIRE(in->unprotect_rtcp(rtcp, n) == srtp_status::ok);
    CHECK(n == 8);
    CHECK(rtcp[1] == 201);
    copy[6] ^= 0x10;
    CHECK(in->unprotect_rtcp(copy, copy_len) == srtp_status::auth_fail);
  }
}

TEST_CASE("SRTP sessions reject wrong keys, short buffers and wrong directions", "[srtp]") {
  const auto p = srtp_profile::aead_aes_128_gcm;
  srtp_status err = srtp_status::ok;
  const auto wrong_length = master_for(srtp_profile::aes_cm_128_hmac_sha1_80, 1);  // 30 bytes, GCM-128 wants 28
  CHECK_FALSE(srtp_session::create(srtp_session::direction::outbound, p, wrong_length, &err));
  CHECK(err == srtp_status::bad_key);

  const auto key = master_for(p, 3);
  auto out = srtp_session::create(srtp_session::direction::outbound, p, key);
  auto in = srtp_session::create(srtp_session::direction::inbound, p, key);
  REQUIRE(out);
  REQUIRE(in);

  std::array<uint8_t, 200> tight{};
  size_t len = write_rtp(tight, 1);  // 172 bytes: less than max_overhead left after it
  CHECK(out->protect_rtp(tight, len) == srtp_status::no_room);
  CHECK(len == 172);

  std::array<uint8_t, 8> tiny{};
  size_t tiny_len = tiny.size();
  CHECK(in->unprotect_rtp(tiny, tiny_len) == srtp_status::too_short);
  CHECK(in->protect_rtp(tiny, tiny_len) == srtp_status::library_error);

  // Moving keeps the keys and cipher contexts alive exactly once.
  srtp_session moved = std::move(*out);
  std::array<uint8_t, 1500> buf{};
  size_t n = write_rtp(buf, 2);
  CHECK(moved.protect_rtp(buf, n) == srtp_status::ok);
}
