// The project's SRTP against libsrtp as the reference: the same keys give byte-identical
// SRTP and SRTCP, and each side unprotects what the other protected, for every profile.
#include <srtp2/srtp.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <optional>
#include <vector>

#include "media/srtp_session.hpp"

using namespace parley::media;

namespace {

bool libsrtp_ready() {
  static const bool ok = srtp_init() == srtp_err_status_ok;
  return ok;
}

// One libsrtp session, set up the way the project's previous libsrtp wrapper did.
class reference_session {
 public:
  reference_session(srtp_session::direction dir, srtp_profile profile, std::span<const uint8_t> master) {
    REQUIRE(libsrtp_ready());
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof policy);
    switch (profile) {
      case srtp_profile::aes_cm_128_hmac_sha1_80:
        srtp_crypto_policy_set_rtp_default(&policy.rtp);
        srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
        break;
      case srtp_profile::aead_aes_128_gcm:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
      case srtp_profile::aead_aes_256_gcm:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
        break;
    }
    policy.ssrc.type = dir == srtp_session::direction::inbound ? ssrc_any_inbound : ssrc_any_outbound;
    key_.assign(master.begin(), master.end());
    key_.resize(64, 0);
    policy.key = key_.data();
    policy.window_size = 1024;
    policy.allow_repeat_tx = dir == srtp_session::direction::outbound ? 1 : 0;
    REQUIRE(srtp_create(&ctx_, &policy) == srtp_err_status_ok);
  }
  ~reference_session() { srtp_dealloc(ctx_); }
  reference_session(const reference_session&) = delete;
  reference_session& operator=(const reference_session&) = delete;

  srtp_err_status_t protect(std::vector<uint8_t>& p, bool rtcp) {
    int n = static_cast<int>(p.size());
    p.resize(p.size() + SRTP_MAX_TRAILER_LEN + 4);
    const auto s = rtcp ? srtp_protect_rtcp(ctx_, p.data(), &n) : srtp_protect(ctx_, p.data(), &n);
    p.resize(static_cast<size_t>(n));
    return s;
  }
  srtp_err_status_t unprotect(std::vector<uint8_t>& p, bool rtcp) {
    int n = static_cast<int>(p.size());
    const auto s = rtcp ? srtp_unprotect_rtcp(ctx_, p.data(), &n) : srtp_unprotect(ctx_, p.data(), &n);
    p.resize(static_cast<size_t>(n));
    return s;
  }

 private:
  srtp_t ctx_ = nullptr;
  std::vector<uint8_t> key_;
};

std::vector<uint8_t> master_for(srtp_profile p, uint8_t seed) {
  std::vector<uint8_t> m(srtp_master_length(p));
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(seed * 31 + i * 7);
  return m;
}

// RTP with two CSRCs and a one-byte-header extension (so the authenticated header is more
// than 12 bytes), the given SSRC and sequence number, and a payload that depends on both.
std::vector<uint8_t> rtp_packet(uint32_t ssrc, uint16_t seq, size_t payload = 1000) {
  std::vector<uint8_t> p = {0x92, 96, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), 0x12, 0x34, 0x56,
                            0x78, static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8), static_cast<uint8_t>(ssrc), 1, 2, 3, 4, 5, 6, 7, 8,
                            0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0};
  for (size_t i = 0; i < payload; ++i) p.push_back(static_cast<uint8_t>(i * 13 + seq));
  return p;
}

// A sender report with one report block, from `ssrc`.
std::vector<uint8_t> rtcp_packet(uint32_t ssrc, uint8_t fill) {
  std::vector<uint8_t> p = {0x81, 200, 0, 12, static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8), static_cast<uint8_t>(ssrc)};
  for (size_t i = 0; i < 44; ++i) p.push_back(static_cast<uint8_t>(fill + i));
  return p;
}

srtp_status protect(srtp_session& s, std::vector<uint8_t>& p, bool rtcp) {
  size_t n = p.size();
  p.resize(n + srtp_session::max_overhead);
  const auto r = rtcp ? s.protect_rtcp(p, n) : s.protect_rtp(p, n);
  p.resize(n);
  return r;
}

srtp_status unprotect(srtp_session& s, std::vector<uint8_t>& p, bool rtcp) {
  size_t n = p.size();
  const auto r = rtcp ? s.unprotect_rtcp(p, n) : s.unprotect_rtp(p, n);
  p.resize(n);
  return r;
}

const auto all_profiles = {srtp_profile::aes_cm_128_hmac_sha1_80, srtp_profile::aead_aes_128_gcm,
                           srtp_profile::aead_aes_256_gcm};

}  // namespace

TEST_CASE("SRTP matches libsrtp byte for byte, across a sequence number wrap", "[srtp]") {
  for (const auto profile : all_profiles) {
    CAPTURE(to_string(profile));
    const auto key = master_for(profile, 5);
    auto ours_out = srtp_session::create(srtp_session::direction::outbound, profile, key);
    auto ours_in = srtp_session::create(srtp_session::direction::inbound, profile, key);
    REQUIRE(ours_out);
    REQUIRE(ours_in);
    reference_session ref_out(srtp_session::direction::outbound, profile, key);
    reference_session ref_in(srtp_session::direction::inbound, profile, key);
    // Two streams: one that wraps its sequence number (ROC 0 -> 1), one that starts low.
    for (uint32_t i = 0; i < 40; ++i) {
      for (const uint32_t ssrc : {0xCAFEBABEu, 0x01020304u}) {
        const auto seq = static_cast<uint16_t>(ssrc == 0xCAFEBABEu ? 65520 + i : 100 + i);
        const auto plain = rtp_packet(ssrc, seq, 200 + i);
        auto a = plain;
        auto b = plain;
        REQUIRE(protect(*ours_out, a, false) == srtp_status::ok);
        REQUIRE(ref_out.protect(b, false) == srtp_err_status_ok);
        CAPTURE(i, ssrc);
        REQUIRE(a == b);
        // Each side opens what the other sealed (a went to libsrtp, b to ours: same bytes).
        REQUIRE(ref_in.unprotect(a, false) == srtp_err_status_ok);
        REQUIRE(unprotect(*ours_in, b, false) == srtp_status::ok);
        CHECK(a == plain);
        CHECK(b == plain);
      }
    }
  }
}

TEST_CASE("SRTCP matches libsrtp byte for byte and each side opens the other's", "[srtp]") {
  for (const auto profile : all_profiles) {
    CAPTURE(to_string(profile));
    const auto key = master_for(profile, 9);
    auto ours_out = srtp_session::create(srtp_session::direction::outbound, profile, key);
    auto ours_in = srtp_session::create(srtp_session::direction::inbound, profile, key);
    REQUIRE(ours_out);
    REQUIRE(ours_in);
    reference_session ref_out(srtp_session::direction::outbound, profile, key);
    reference_session ref_in(srtp_session::direction::inbound, profile, key);
    for (uint8_t i = 0; i < 10; ++i) {
      for (const uint32_t ssrc : {0x11111111u, 0x22222222u}) {
        const auto plain = rtcp_packet(ssrc, i);
        auto a = plain;
        auto b = plain;
        REQUIRE(protect(*ours_out, a, true) == srtp_status::ok);
        REQUIRE(ref_out.protect(b, true) == srtp_err_status_ok);
        CAPTURE(i, ssrc);
        REQUIRE(a == b);
        REQUIRE(ref_in.unprotect(a, true) == srtp_err_status_ok);
        REQUIRE(unprotect(*ours_in, b, true) == srtp_status::ok);
        CHECK(a == plain);
        CHECK(b == plain);
      }
    }
  }
}

TEST_CASE("SRTP from libsrtp: tampering anywhere, replays and stale packets are refused", "[srtp]") {
  for (const auto profile : all_profiles) {
    CAPTURE(to_string(profile));
    const auto key = master_for(profile, 3);
    reference_session ref_out(srtp_session::direction::outbound, profile, key);
    auto in = srtp_session::create(srtp_session::direction::inbound, profile, key);
    REQUIRE(in);
    std::vector<std::vector<uint8_t>> wire;
    for (uint16_t seq = 0; seq < 1100; ++seq) {
      auto p = rtp_packet(0xABCD0001u, seq, 100);
      REQUIRE(ref_out.protect(p, false) == srtp_err_status_ok);
      wire.push_back(std::move(p));
    }
    // A header byte (authenticated, not encrypted), a payload byte and a tag byte.
    for (const size_t at : {size_t{5}, size_t{40}, wire[0].size() - 1}) {
      auto bad = wire[0];
      bad[at] ^= 0x04;
      CHECK(unprotect(*in, bad, false) == srtp_status::auth_fail);
    }
    auto first = wire[0];
    REQUIRE(unprotect(*in, first, false) == srtp_status::ok);
    auto again = wire[0];
    CHECK(unprotect(*in, again, false) == srtp_status::replay);
    // Out of order within the window is fine; once 1024 newer packets came, it is too old.
    auto late = wire[5];
    auto newest = wire[1099];
    REQUIRE(unprotect(*in, newest, false) == srtp_status::ok);
    CHECK(unprotect(*in, late, false) == srtp_status::replay_old);
    auto recent = wire[1090];
    CHECK(unprotect(*in, recent, false) == srtp_status::ok);
    auto truncated = wire[1095];
    truncated.resize(20);
    CHECK(unprotect(*in, truncated, false) != srtp_status::ok);

    // SRTCP: tamper and replay.
    reference_session ref_rtcp_out(srtp_session::direction::outbound, profile, key);
    auto report = rtcp_packet(0x33333333u, 1);
    REQUIRE(ref_rtcp_out.protect(report, true) == srtp_err_status_ok);
    auto tampered = report;
    tampered[12] ^= 0x01;
    CHECK(unprotect(*in, tampered, true) == srtp_status::auth_fail);
    auto ok = report;
    REQUIRE(unprotect(*in, ok, true) == srtp_status::ok);
    auto replayed = report;
    CHECK(unprotect(*in, replayed, true) == srtp_status::replay);
  }
}

TEST_CASE("SRTP receiver follows the rollover counter across many wraps", "[srtp]") {
  const auto profile = srtp_profile::aead_aes_128_gcm;
  const auto key = master_for(profile, 11);
  auto out = srtp_session::create(srtp_session::direction::outbound, profile, key);
  reference_session ref_in(srtp_session::direction::inbound, profile, key);
  REQUIRE(out);
  // 3 wraps in steps of 1000 sequence numbers (the median rule keeps the ROC right).
  uint16_t seq = 0;
  for (int i = 0; i < 200; ++i, seq = static_cast<uint16_t>(seq + 1000)) {
    const auto plain = rtp_packet(0x5EED5EEDu, seq, 50);
    auto p = plain;
    REQUIRE(protect(*out, p, false) == srtp_status::ok);
    CAPTURE(i);
    REQUIRE(ref_in.unprotect(p, false) == srtp_err_status_ok);
    CHECK(p == plain);
  }
}
