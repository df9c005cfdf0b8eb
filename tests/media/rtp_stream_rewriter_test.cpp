// Tests for layer-switch rewriting: continuity, wraparound, dropping stale packets.
#include "media/rtp_stream_rewriter.hpp"

#include <catch2/catch.hpp>

using namespace parley::media;

namespace {
constexpr uint32_t low = 0x1111;
constexpr uint32_t high = 0x2222;
}  // namespace

TEST_CASE("nothing is forwarded before the first keyframe of the chosen source", "[rewriter]") {
  rtp_stream_rewriter r(90000);
  CHECK_FALSE(r.rewrite(low, 10, 1000, true, 0));  // no source chosen yet
  r.switch_to(low);
  CHECK_FALSE(r.rewrite(low, 11, 1000, false, 0));
  const auto first = r.rewrite(low, 12, 4000, true, 0);
  REQUIRE(first);
  CHECK(first->sequence == 12);
  CHECK(first->timestamp == 4000);
  CHECK(r.current_source() == low);
  CHECK_FALSE(r.pending_source());
  CHECK(r.rewrite(low, 13, 4000, false, 1)->sequence == 13);
}

TEST_CASE("switching layers keeps sequence and timestamp continuous", "[rewriter]") {
  rtp_stream_rewriter r(90000);
  r.switch_to(low);
  REQUIRE(r.rewrite(low, 100, 50000, true, 1000));
  REQUIRE(r.rewrite(low, 101, 53000, false, 1033));

  r.switch_to(high);
  // Until the new layer's keyframe, the old one keeps flowing; the new one is dropped.
  CHECK_FALSE(r.rewrite(high, 7000, 900000, false, 1040));
  const auto old = r.rewrite(low, 102, 56000, false, 1066);
  REQUIRE(old);
  CHECK(old->sequence == 102);

  const auto key = r.rewrite(high, 7001, 903000, true, 1100);
  REQUIRE(key);
  CHECK(key->sequence == 103);
  CHECK(key->timestamp == 56000 + 34 * 90);  // 34 ms after the last forwarded packet
  CHECK(r.current_source() == high);

  const auto next = r.rewrite(high, 7002, 906000, false, 1133);
  REQUIRE(next);
  CHECK(next->sequence == 104);
  CHECK(next->timestamp == key->timestamp + 3000);

  // The old layer is now dropped, and so are new-layer packets from before the switch.
  CHECK_FALSE(r.rewrite(low, 103, 59000, false, 1134));
  CHECK_FALSE(r.rewrite(high, 7000, 900000, false, 1135));
  // Reordering after the switch point is kept, mapped consistently.
  CHECK(r.rewrite(high, 7004, 909000, false, 1140)->sequence == 106);
  CHECK(r.rewrite(high, 7003, 909000, false, 1141)->sequence == 105);
}

TEST_CASE("16-bit sequence and 32-bit timestamp wrap through a switch", "[rewriter]") {
  rtp_stream_rewriter r(48000);
  r.switch_to(low);
  REQUIRE(r.rewrite(low, 65534, 0xFFFFFF00u, true, 0));
  CHECK(r.rewrite(low, 65535, 0xFFFFFFF0u, false, 20)->sequence == 65535);
  r.switch_to(high);
  const auto key = r.rewrite(high, 300, 1234, true, 40);
  REQUIRE(key);
  CHECK(key->sequence == 0);
  CHECK(key->timestamp == 0xFFFFFFF0u + 20 * 48);  // wraps past 2^32
  const auto after = r.rewrite(high, 301, 1234 + 960, false, 60);
  CHECK(after->sequence == 1);
  CHECK(after->timestamp == static_cast<uint32_t>(0xFFFFFFF0u + 20 * 48 + 960));
  CHECK_FALSE(r.rewrite(high, 299, 1234, false, 61));
}

TEST_CASE("a long single-source stream keeps flowing across many wraps", "[rewriter]") {
  rtp_stream_rewriter r(90000);
  r.switch_to(low);
  uint16_t seq = 40000;
  uint32_t ts = 0;
  REQUIRE(r.rewrite(low, seq, ts, true, 0));
  for (int i = 1; i < 200000; ++i) {
    ++seq;
    ts += 3000;
    const auto out = r.rewrite(low, seq, ts, false, i);
    REQUIRE(out);
    REQUIRE(out->sequence == seq);
  }
  // A packet a little late is still mapped; one a quarter of the space late is not.
  CHECK(r.rewrite(low, static_cast<uint16_t>(seq - 100), 0, false, 0));
  CHECK_FALSE(r.rewrite(low, static_cast<uint16_t>(seq - 0x5000), 0, false, 0));
}

TEST_CASE("switching to the source already forwarded is a no-op", "[rewriter]") {
  rtp_stream_rewriter r(90000);
  r.switch_to(low);
  REQUIRE(r.rewrite(low, 1, 1, true, 0));
  r.switch_to(low);
  CHECK(r.rewrite(low, 2, 2, false, 1)->sequence == 2);
  CHECK_FALSE(r.pending_source());
  CHECK(r.rewrite(low, 3, 3, true, 2)->sequence == 3);
}
