// Tests for the retransmission cache: lookups, window, wraparound, answering a NACK.
#include "media/retransmission_cache.hpp"

#include <catch2/catch.hpp>

#include "media/rtcp_nack.hpp"

using namespace parley::media;

namespace {
std::vector<uint8_t> packet_for(uint16_t seq, size_t size = 100) {
  std::vector<uint8_t> p(size, static_cast<uint8_t>(seq));
  p[0] = static_cast<uint8_t>(seq >> 8);
  return p;
}
}  // namespace

TEST_CASE("cache returns exactly the packet stored under a sequence number", "[rtx-cache]") {
  retransmission_cache cache(100, 1500);
  CHECK(cache.capacity() == 128);
  CHECK_FALSE(cache.find(0));
  for (uint16_t s = 10; s < 20; ++s) REQUIRE(cache.store(s, packet_for(s)));
  const auto hit = cache.find(15);
  REQUIRE(hit);
  CHECK(std::vector<uint8_t>(hit->begin(), hit->end()) == packet_for(15));
  CHECK_FALSE(cache.find(9));
  CHECK_FALSE(cache.find(20));
  CHECK_FALSE(cache.store(21, std::vector<uint8_t>(1501)));
  cache.clear();
  CHECK_FALSE(cache.find(15));
}

TEST_CASE("cache forgets packets that left the window, across the 16-bit wrap", "[rtx-cache]") {
  retransmission_cache cache(64, 200);
  for (uint32_t i = 65500; i < 65536 + 40; ++i) REQUIRE(cache.store(static_cast<uint16_t>(i), packet_for(static_cast<uint16_t>(i))));
  // Newest is 39; the window holds 64 packets: 65512 .. 39.
  CHECK(cache.find(39));
  CHECK(cache.find(0));
  CHECK(cache.find(65535));
  CHECK(cache.find(65512));
  CHECK_FALSE(cache.find(65511));
  CHECK_FALSE(cache.find(65500));
  const auto wrapped = cache.find(65535);
  CHECK((*wrapped)[0] == 0xFF);
  // A packet older than the window must not evict a newer one from its slot.
  CHECK_FALSE(cache.store(65500, packet_for(65500)));
  const auto same_slot = cache.find(28);  // 65500 + 64 wraps to 28, the slot's current owner
  REQUIRE(same_slot);
  CHECK(std::vector<uint8_t>(same_slot->begin(), same_slot->end()) == packet_for(28));
}

TEST_CASE("a NACK from a receiver is answered from the cache", "[rtx-cache]") {
  retransmission_cache cache(512, 1200);
  for (uint32_t i = 65400; i < 65536 + 100; ++i) REQUIRE(cache.store(static_cast<uint16_t>(i), packet_for(static_cast<uint16_t>(i), 60 + i % 50)));
  const std::vector<uint16_t> lost = {65530, 65533, 2, 5, 99};
  std::array<uint8_t, 64> wire{};
  const auto n = rtcp_nack::from_sequences(1, 2, lost).write(wire);
  REQUIRE(n);
  const auto nack = rtcp_nack::parse(std::span<const uint8_t>(wire).first(*n));
  REQUIRE(nack.ok());
  std::vector<uint16_t> resent;
  nack->for_each_sequence([&](uint16_t seq) {
    if (const auto p = cache.find(seq)) {
      CHECK(p->size() == 60 + (seq < 1000 ? seq + 65536u : seq) % 50);
      resent.push_back(seq);
    }
  });
  CHECK(resent == lost);
}
