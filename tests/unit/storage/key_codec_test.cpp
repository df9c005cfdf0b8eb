// Keys built from big-endian numbers sort in numeric order, so prefix scans return records in order.
#include <algorithm>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "storage/key_codec.hpp"

using parley::storage::key_builder;
using parley::storage::read_u64;

TEST_CASE("big-endian keys sort like the numbers they encode", "[storage][key_codec]") {
  std::mt19937_64 rng{42};
  std::vector<uint64_t> numbers{0, 1, 255, 256, 65535, 65536, UINT64_MAX, UINT64_MAX - 1, 1ull << 63};
  for (int i = 0; i < 1000; ++i)
    numbers.push_back(rng());
  std::vector<std::string> keys;
  for (auto n : numbers)
    keys.push_back(key_builder{}.u64(77).u64(n).str());
  std::sort(numbers.begin(), numbers.end());
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < numbers.size(); ++i)
    CHECK(read_u64(keys[i], 8) == numbers[i]);
}

TEST_CASE("a channel's messages share its prefix and order by sequence", "[storage][key_codec]") {
  auto channel_a = key_builder{}.u64(5).str();
  auto k1 = key_builder{}.u64(5).u64(1).str();
  auto k2 = key_builder{}.u64(5).u64(300).str();
  auto other = key_builder{}.u64(6).u64(0).str();
  CHECK(k1.rfind(channel_a, 0) == 0);
  CHECK(k2.rfind(channel_a, 0) == 0);
  CHECK(other.rfind(channel_a, 0) != 0);
  CHECK(k1 < k2);
  CHECK(k2 < other);
}

TEST_CASE("reading a number from a short key fails instead of reading past it", "[storage][key_codec]") {
  CHECK_FALSE(read_u64("short").has_value());
  CHECK(read_u64(key_builder{}.u32(7).u64(9).str(), 4) == 9u);
}
