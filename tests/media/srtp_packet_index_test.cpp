// RFC 3711 index estimation and the replay windows.
#include "media/srtp_packet_index.hpp"

#include <catch2/catch.hpp>

using namespace parley::media;

TEST_CASE("srtp_packet_index estimates the rollover counter around a wrap", "[srtp]") {
  srtp_packet_index index;
  auto e = index.estimate_for(65530);
  CHECK(e.index == 65530);
  index.accept(e);
  e = index.estimate_for(3);  // wrapped
  CHECK(e.index == 65536 + 3);
  CHECK(e.delta == 9);
  index.accept(e);
  e = index.estimate_for(65534);  // a late packet from before the wrap
  CHECK(e.index == 65534);
  CHECK(e.delta == -5);
  CHECK(index.check(e.delta) == replay_check::fresh);
  index.accept(e);
  CHECK(index.check(e.delta) == replay_check::repeated);
  CHECK(index.highest() == 65536 + 3);
}

TEST_CASE("srtp_packet_index early in a stream reads a high sequence number as roll 0", "[srtp]") {
  srtp_packet_index index;
  index.accept(index.estimate_for(10));
  const auto e = index.estimate_for(60000);
  CHECK(e.index == 60000);
  CHECK(e.delta == 59990);
}

TEST_CASE("srtp_packet_index refuses what fell out of the 1024-packet window", "[srtp]") {
  srtp_packet_index index;
  for (uint16_t s = 1; s <= 2000; ++s) index.accept(index.estimate_for(s));
  CHECK(index.check(index.estimate_for(2000 - 1023).delta) == replay_check::repeated);
  CHECK(index.check(index.estimate_for(2000 - 1024).delta) == replay_check::too_old);
  CHECK(index.check(index.estimate_for(2001).delta) == replay_check::fresh);
  // A jump clears the window except for what is still inside it.
  index.accept(index.estimate_for(2100));
  CHECK(index.check(index.estimate_for(2050).delta) == replay_check::fresh);
  CHECK(index.check(index.estimate_for(2000).delta) == replay_check::repeated);
  CHECK(index.check(index.estimate_for(2100).delta) == replay_check::repeated);
}

TEST_CASE("srtcp_replay_list keeps the last 128 indexes", "[srtp]") {
  srtcp_replay_list list;
  CHECK(list.check(5) == replay_check::fresh);
  list.accept(5);
  CHECK(list.check(5) == replay_check::repeated);
  list.accept(7);
  CHECK(list.check(6) == replay_check::fresh);
  CHECK(list.check(5) == replay_check::repeated);
  list.accept(300);
  CHECK(list.check(7) == replay_check::too_old);
  CHECK(list.check(200) == replay_check::fresh);
  CHECK(list.check(300) == replay_check::repeated);
}
