// The frame headers parleyd writes itself must be what RFC 6455 says a client reads.
#include <catch2/catch.hpp>

#include "net/server_frame.hpp"

using parley::net::binary_frame_header;

TEST_CASE("a server frame header is final, binary, unmasked, with the shortest length form", "[net][ws]") {
  auto small = binary_frame_header(125);
  REQUIRE(small.size == 2);
  CHECK(small.bytes[0] == 0x82);
  CHECK(small.bytes[1] == 125);

  auto medium = binary_frame_header(126);
  REQUIRE(medium.size == 4);
  CHECK(medium.bytes[1] == 126);
  CHECK(medium.bytes[2] == 0);
  CHECK(medium.bytes[3] == 126);
  auto top = binary_frame_header(0xffff);
  REQUIRE(top.size == 4);
  CHECK(top.bytes[2] == 0xff);
  CHECK(top.bytes[3] == 0xff);

  auto large = binary_frame_header(0x10000 + 0x0102);
  REQUIRE(large.size == 10);
  CHECK(large.bytes[1] == 127);
  const uint8_t length[8] = {0, 0, 0, 0, 0, 1, 1, 2};
  for (int i = 0; i < 8; ++i)
    CHECK(large.bytes[static_cast<size_t>(2 + i)] == length[i]);

  CHECK(binary_frame_header(0).size == 2);
  CHECK(binary_frame_header(0).bytes[1] == 0);
}
