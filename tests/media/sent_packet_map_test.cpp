// The outgoing-sequence ring that lets the SFU answer a subscriber's NACK.
#include "media/sent_packet_map.hpp"

#include <catch2/catch.hpp>

using namespace parley::media;

TEST_CASE("an outgoing sequence number finds its source until the ring wraps over it", "[sent_packet_map]") {
  sent_packet_map map(100);  // rounded up to 128
  map.record(65535, 1, 700, 9000);
  map.record(0, 2, 40, 9100);
  auto* e = map.find(65535);
  REQUIRE(e);
  CHECK(e->layer == 1);
  CHECK(e->source_sequence == 700);
  CHECK(e->out_timestamp == 9000);
  REQUIRE(map.find(0));
  CHECK(map.find(0)->source_sequence == 40);
  CHECK_FALSE(map.find(1));
  map.record(127, 0, 1, 1);  // the slot of 65535
  CHECK_FALSE(map.find(65535));
  map.clear();
  CHECK_FALSE(map.find(0));
}
