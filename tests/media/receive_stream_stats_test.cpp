// What the SFU's receiver reports tell a publisher: loss, jitter, and the echo of its SR.
#include "media/receive_stream_stats.hpp"

#include <catch2/catch.hpp>

#include "media/ntp_time.hpp"

using namespace parley::media;

TEST_CASE("loss over an interval and in total, across the sequence wrap", "[receive_stream_stats]") {
  receive_stream_stats s(90000);
  // 65530..65535 and 0..9 sent (16), 4 of them lost.
  for (uint16_t seq = 65530; seq != 10; ++seq) {
    if (seq == 65533 || seq == 2 || seq == 3 || seq == 4) continue;
    s.on_packet(seq, 0, 1000, false, 0);
  }
  const auto block = s.make_report(0xAB, 1000);
  CHECK(block.ssrc == 0xAB);
  CHECK(block.cumulative_lost == 4);
  CHECK(block.fraction_lost == 4 * 256 / 16);
  CHECK(block.highest_sequence == (1u << 16) + 9);
  CHECK(s.interval_expected() == 16);
  CHECK(s.interval_lost() == 4);
  // The next interval is clean: its fraction is 0 though the total stays.
  for (uint16_t seq = 10; seq < 20; ++seq) s.on_packet(seq, 0, 1000, false, 2000);
  const auto next = s.make_report(0xAB, 3000);
  CHECK(next.fraction_lost == 0);
  CHECK(next.cumulative_lost == 4);
  CHECK(s.bytes() == 22'000);
}

TEST_CASE("jitter is zero for a steady stream and grows when arrivals wander", "[receive_stream_stats]") {
  receive_stream_stats steady(90000);
  for (uint16_t i = 0; i < 50; ++i) steady.on_packet(i, 3000u * i, 100, false, 1000 + 33 * i + (i / 3));
  CHECK(steady.jitter_ms() < 2.0);
  receive_stream_stats wandering(90000);
  for (uint16_t i = 0; i < 50; ++i) wandering.on_packet(i, 3000u * i, 100, false, 1000 + 33 * i + (i % 2) * 40);
  CHECK(wandering.jitter_ms() > 20.0);
  // A retransmission says nothing about the path's jitter.
  const double before = wandering.jitter_ms();
  wandering.on_packet(10, 30000, 100, true, 99'999);
  CHECK(wandering.jitter_ms() == before);
}

TEST_CASE("the report echoes the publisher's last SR and how long ago it came", "[receive_stream_stats]") {
  receive_stream_stats s(48000);
  s.on_packet(1, 960, 100, false, 0);
  CHECK(s.make_report(1, 10).last_sr == 0);  // no SR yet
  const uint64_t ntp = (uint64_t{3'900'000'000} << 32) | 0x80000000u;
  s.on_sender_report(ntp, 48000, 1000);
  const auto block = s.make_report(1, 1500);
  CHECK(block.last_sr == ntp_middle(ntp));
  CHECK(ntp_short_to_ms(block.delay_since_last_sr) == Approx(500).margin(1));
  // The publisher's clock, extrapolated: half a second later is 24000 ticks on.
  CHECK(s.rtp_at(1500) == 48000 + 24000);
}
