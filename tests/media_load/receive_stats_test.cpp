// Loss accounting of the load tool's receivers: sequence gaps inside the measured window.
#include "benchmarks/media/receive_stats.hpp"

#include <catch2/catch.hpp>

using parley::bench::receive_stats;

TEST_CASE("receive stats count gaps across the sequence wrap", "[stats]") {
  receive_stats stats;
  for (uint16_t s = 65530; s != 6; ++s)
    if (s != 2)  // one packet lost after the wrap
      stats.on_packet(s, s == 65531);
  CHECK(stats.received() == 11);
  CHECK(stats.expected() == 12);
  CHECK(stats.lost() == 1);
  CHECK(stats.keyframes() == 1);
}

TEST_CASE("a new window forgets earlier packets but not the sequence position", "[stats]") {
  receive_stats stats;
  stats.on_packet(100, false);
  stats.on_packet(105, false);
  stats.begin_window();
  CHECK(stats.received() == 0);
  CHECK(stats.expected() == 0);
  stats.on_packet(106, false);
  stats.on_packet(104, false);  // sent before the window: not part of it
  stats.on_packet(108, false);
  CHECK(stats.received() == 2);
  CHECK(stats.expected() == 3);  // 106..108
  CHECK(stats.lost() == 1);
  CHECK(stats.total_received() == 5);
}
