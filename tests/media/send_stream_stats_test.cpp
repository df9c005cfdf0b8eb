// What a subscriber's receiver report says about a stream the SFU sends it.
#include "media/send_stream_stats.hpp"

#include <catch2/catch.hpp>

#include "media/ntp_time.hpp"

using namespace parley::media;

TEST_CASE("the round trip is now minus LSR minus DLSR, and loss and jitter are read as the subscriber gives them",
          "[send_stream_stats]") {
  send_stream_stats s;
  s.on_sent(1200, 90000, 0);
  s.on_sent(1000, 93000, 33);
  CHECK(s.packets() == 2);
  CHECK(s.octets() == 2200);
  CHECK(s.last_timestamp() == 93000);

  const uint64_t sr_sent = ntp_from_ms(1'000'000);
  rtcp_report_block block;
  block.ssrc = 5;
  block.fraction_lost = 64;
  block.jitter = 900;  // 10 ms at 90 kHz
  block.last_sr = ntp_middle(sr_sent);
  block.delay_since_last_sr = ms_to_ntp_short(200);  // the subscriber held the SR 200 ms
  s.on_report(block, ntp_from_ms(1'000'000 + 260), 90000, 5000);
  REQUIRE(s.rtt_ms());
  CHECK(*s.rtt_ms() == Approx(60).margin(1));
  CHECK(s.fraction_lost() == 0.25);
  CHECK(s.jitter_ms() == Approx(10.0));
  // A report before any SR arrived gives no round trip.
  send_stream_stats fresh;
  block.last_sr = 0;
  fresh.on_report(block, ntp_from_ms(5000), 90000, 10);
  CHECK_FALSE(fresh.rtt_ms());
}
