// Loss detection on an incoming stream: which sequence numbers the SFU asks a publisher
// to send again, how often, and when it gives up.
#include "media/nack_generator.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using namespace parley::media;

namespace {
std::vector<uint16_t> due(nack_generator& g, int64_t now, int64_t rtt = 0) {
  std::array<uint16_t, 64> out{};
  const auto n = g.take_due(now, rtt, out);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}
}  // namespace

TEST_CASE("a gap is requested at once, again after the retry interval, and forgotten when it arrives",
          "[nack_generator]") {
  nack_generator g;
  CHECK(g.on_packet(100, 0) == nack_generator::arrival::in_order);
  CHECK(g.on_packet(101, 5) == nack_generator::arrival::in_order);
  CHECK(g.on_packet(104, 10) == nack_generator::arrival::gap);
  CHECK(g.missing() == 2);
  CHECK(due(g, 10) == std::vector<uint16_t>{102, 103});
  CHECK(due(g, 15).empty());  // not before the retry interval
  CHECK(g.on_packet(102, 20) == nack_generator::arrival::recovered);
  CHECK(due(g, 40, 10) == std::vector<uint16_t>{103});
  CHECK(g.on_packet(103, 50) == nack_generator::arrival::recovered);
  CHECK(g.missing() == 0);
  CHECK(g.on_packet(103, 60) == nack_generator::arrival::old);  // a duplicate
}

TEST_CASE("gaps across the sequence wrap are found", "[nack_generator]") {
  nack_generator g;
  g.on_packet(65534, 0);
  CHECK(g.on_packet(1, 1) == nack_generator::arrival::gap);
  CHECK(due(g, 1) == std::vector<uint16_t>{65535, 0});
}

TEST_CASE("a packet is asked for at most max_retries times", "[nack_generator]") {
  nack_generator g;
  g.on_packet(1, 0);
  g.on_packet(3, 0);
  int requests = 0;
  for (int64_t t = 0; t < 10'000; t += 100) requests += static_cast<int>(due(g, t).size());
  CHECK(requests == nack_generator::max_retries);
  CHECK(g.missing() == 0);
  CHECK(g.given_up() == 1);
}

TEST_CASE("a hole too large to repair is dropped whole", "[nack_generator]") {
  nack_generator g;
  g.on_packet(1, 0);
  CHECK(g.on_packet(1000, 0) == nack_generator::arrival::too_large);
  CHECK(g.missing() == 0);
  CHECK(g.on_packet(1001, 1) == nack_generator::arrival::in_order);
}
