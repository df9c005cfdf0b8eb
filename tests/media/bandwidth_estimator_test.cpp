// The send-side estimate under a synthetic path: clean, then lossy, then queueing, then
// clean again; and the simulcast layer it allows.
#include "media/bandwidth_estimator.hpp"

#include <catch2/catch.hpp>

#include <vector>

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

namespace {

// One feedback's worth (50 ms) of 1,000-byte packets every 5 ms at a 1.6 Mbit/s pace, each
// seeing `queue_us(i)` of queueing on top of a 20 ms path (the receiver's clock is offset).
template <typename Queue>
std::vector<delay_sample> feedback(int64_t& send_us, Queue&& queue_us) {
  std::vector<delay_sample> samples;
  for (int i = 0; i < 10; ++i) {
    samples.push_back({send_us, send_us + 20'000 + 7'000'000 + queue_us(send_us), 1000});
    send_us += 5000;
  }
  return samples;
}

}  // namespace

TEST_CASE("transport-cc feedback with a growing queue lowers the estimate", "[bandwidth_estimator][twcc]") {
  bandwidth_estimator e(3'000'000);
  int64_t send_us = 1'000'000;
  int64_t now_ms = 1000;
  // A clear path first, so the minimum delay is known.
  for (int i = 0; i < 4; ++i) e.on_delay_feedback(feedback(send_us, [](int64_t) { return 0; }), now_ms += 50);
  const auto clear = e.estimate_bps();
  CHECK(e.queue_delay_us() == 0);
  // Then every packet waits 2 ms longer than the one before: a queue builds.
  const int64_t onset = send_us;
  for (int i = 0; i < 10; ++i)
    e.on_delay_feedback(feedback(send_us, [&](int64_t at) { return (at - onset) * 2 / 5; }), now_ms += 50);
  CHECK(e.queue_delay_us() > 30'000);
  // Cut below what got through (1.6 Mbit/s as sent, less as the queue stretches it).
  CHECK(e.estimate_bps() < clear);
  CHECK(e.estimate_bps() < 1'600'000);
  // Receiver reports of a clean path do not undo it while the queue is there.
  const auto cut = e.estimate_bps();
  e.on_report(0.0, 40, now_ms += 50);
  CHECK(e.estimate_bps() <= cut);
}

TEST_CASE("transport-cc feedback with a stable delay lets the estimate grow", "[bandwidth_estimator][twcc]") {
  bandwidth_estimator e(1'000'000);
  int64_t send_us = 1'000'000;
  int64_t now_ms = 1000;
  // Ten seconds of feedback: a constant 3 ms of jitter-level queueing on a steady path.
  for (int i = 0; i < 200; ++i)
    e.on_delay_feedback(feedback(send_us, [](int64_t at) { return (at / 5000) % 2 == 0 ? 0 : 3000; }), now_ms += 50);
  CHECK(e.queue_delay_us() < 10'000);
  CHECK(e.estimate_bps() > 1'800'000);  // about 8% a second, compounded
  CHECK(e.estimate_bps() < 2'500'000);  // and not faster: receiver reports add nothing on top
  const auto grown = e.estimate_bps();
  for (int i = 0; i < 3; ++i) e.on_report(0.0, 40, now_ms += 1000 / 3);
  CHECK(e.estimate_bps() == grown);
  // Loss still cuts it.
  e.on_report(0.5, 40, now_ms += 100);
  CHECK(e.estimate_bps() < grown);
}
