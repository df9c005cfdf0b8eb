// The per-connection rate limiter allows a burst, then the sustained rate.
#include <catch2/catch.hpp>

#include "actors/rate_limiter.hpp"

using parley::actors::rate_limiter;
using namespace std::chrono_literals;

TEST_CASE("a burst is allowed, then requests refill at the rate", "[actors][rate_limiter]") {
  rate_limiter limiter{10, 5};
  auto now = rate_limiter::clock::now();
  int allowed = 0;
  for (int i = 0; i < 20; ++i)
    allowed += limiter.try_acquire(now) ? 1 : 0;
  CHECK(allowed == 5);
  CHECK_FALSE(limiter.try_acquire(now + 50ms));
  CHECK(limiter.try_acquire(now + 150ms));
  CHECK(limiter.try_acquire(now + 10s));
}
