// The send-side estimate under a synthetic path: clean, then lossy, then queueing, then
// clean again; and the simulcast layer it allows.
#include "media/bandwidth_estimator.hpp"

#include <catch2/catch.hpp>

using namespace parley::media;

TEST_CASE("the estimate falls under loss and queueing delay and recovers on a clean path", "[bandwidth_estimator]") {
  bandwidth_estimator e(1'000'000);
  int64_t now = 0;
  for (int i = 0; i < 10; ++i) e.on_report(0.0, 40, now += 1000);
  const auto clean = e.estimate_bps();
  CHECK(clean > 2'000'000);
  for (int i = 0; i < 5; ++i) e.on_report(0.30, 40, now += 1000);
  const auto lossy = e.estimate_bps();
  CHECK(lossy < clean / 2);
  // Loss between 2% and 10% holds the estimate.
  e.on_report(0.05, 40, now += 1000);
  CHECK(e.estimate_bps() == lossy);
  // No loss, but the round trip triples: a queue is building, the estimate backs off.
  e.on_report(0.0, 300, now += 1000);
  CHECK(e.estimate_bps() < lossy);
  for (int i = 0; i < 20; ++i) e.on_report(0.0, 40, now += 1000);
  CHECK(e.estimate_bps() > clean);
  // Never below the floor, whatever the loss.
  for (int i = 0; i < 100; ++i) e.on_report(1.0, std::nullopt, now += 1000);
  CHECK(e.estimate_bps() == bandwidth_estimator::min_bps);
}

TEST_CASE("the layer is the highest that fits, climbing only with headroom", "[bandwidth_estimator]") {
  const std::array<uint64_t, 3> rates{150'000, 500'000, 1'500'000};
  CHECK(choose_simulcast_layer(3'000'000, rates, 2, 0) == 2);
  CHECK(choose_simulcast_layer(3'000'000, rates, 1, 0) == 1);  // the subscriber's max_height wins
  CHECK(choose_simulcast_layer(1'600'000, rates, 2, 2) == 2);  // fits: stays
  CHECK(choose_simulcast_layer(1'600'000, rates, 2, 1) == 1);  // fits, but too little headroom to climb
  CHECK(choose_simulcast_layer(1'000'000, rates, 2, 2) == 1);
  CHECK(choose_simulcast_layer(10'000, rates, 2, 2) == 0);     // layer 0 is the floor
  CHECK(choose_simulcast_layer(3'000'000, {150'000, 0, 1'500'000}, 2, 0) == 2);  // an absent layer is skipped
}
