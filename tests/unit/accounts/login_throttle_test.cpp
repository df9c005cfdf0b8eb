// Password guessing gets slower: free attempts, then doubling delays, per username and per address.
#include <catch2/catch.hpp>

#include "accounts/login_throttle.hpp"

using parley::accounts::login_throttle;
using namespace std::chrono_literals;

TEST_CASE("a username is delayed after five failures and the delay grows", "[accounts][throttle]") {
  login_throttle throttle;
  auto now = login_throttle::clock::now();
  for (int i = 0; i < 5; ++i)
    throttle.record_failure("alice", "10.0.0." + std::to_string(i), now);
  CHECK(throttle.retry_after("alice", "10.0.0.9", now) == 0s);
  throttle.record_failure("alice", "10.0.0.9", now);
  CHECK(throttle.retry_after("alice", "10.0.0.9", now) == 1s);
  throttle.record_failure("alice", "10.0.0.9", now + 1s);
  CHECK(throttle.retry_after("alice", "10.0.0.9", now + 1s) == 2s);
  CHECK(throttle.retry_after("bob", "10.0.0.20", now) == 0s);
}

TEST_CASE("one address spraying many usernames is delayed", "[accounts][throttle]") {
  login_throttle throttle;
  auto now = login_throttle::clock::now();
  for (int i = 0; i < 21; ++i)
    throttle.record_failure("user" + std::to_string(i), "192.0.2.1", now);
  CHECK(throttle.retry_after("someone-new", "192.0.2.1", now) > 0s);
  CHECK(throttle.retry_after("someone-new", "192.0.2.2", now) == 0s);
}

TEST_CASE("success clears a username and quiet time forgets failures", "[accounts][throttle]") {
  login_throttle throttle;
  auto now = login_throttle::clock::now();
  for (int i = 0; i < 6; ++i)
    throttle.record_failure("carol", "a", now);
  throttle.record_success("carol");
  CHECK(throttle.retry_after("carol", "b", now) == 0s);
  for (int i = 0; i < 6; ++i)
    throttle.record_failure("dave", "c", now);
  throttle.record_failure("dave", "c", now + 20min);
  CHECK(throttle.retry_after("dave", "d", now + 20min) == 0s);
}

TEST_CASE("the tables stay bounded under a spray of names", "[accounts][throttle]") {
  login_throttle::limits limits;
  limits.max_tracked = 100;
  login_throttle throttle{limits};
  auto now = login_throttle::clock::now();
  for (int i = 0; i < 10000; ++i)
    throttle.record_failure("u" + std::to_string(i), "addr" + std::to_string(i), now);
  // No observable size accessor: the check is that it finished and still throttles a fresh offender.
  for (int i = 0; i < 6; ++i)
    throttle.record_failure("eve", "x", now);
  CHECK(throttle.retry_after("eve", "y", now) > 0s);
}
