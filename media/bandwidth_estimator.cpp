// Loss- and RTT-driven send-side bandwidth estimation and the layer choice it drives.
#include "media/bandwidth_estimator.hpp"

#include <algorithm>

namespace parley::media {

namespace {
constexpr int64_t min_rtt_window_ms = 30'000;  // the path's floor is re-learnt after this long
constexpr int64_t min_delay_window_ms = 30'000;
// The delay signal drives growth while feedback keeps coming; after this long without it,
// receiver reports do again.
constexpr int64_t delay_signal_fresh_ms = 2'000;
// Queueing delay (mean one-way delay above the path's minimum) bands: below the first the
// path is clear and the estimate may grow; above the second, and not draining, it is over-used.
constexpr int64_t clear_queue_us = 10'000;
constexpr int64_t overuse_queue_us = 30'000;
constexpr int64_t severe_queue_us = 100'000;
constexpr int64_t decrease_interval_ms = 300;  // one cut per this long: the queue needs time to drain
constexpr int64_t hold_after_decrease_ms = 1'000;
constexpr double growth_per_second = 0.08;
}

void bandwidth_estimator::on_report(double fraction_lost, std::optional<int64_t> rtt_ms, int64_t now_ms) noexcept {
  bool queueing = false;
  if (rtt_ms && *rtt_ms >= 0) {
    if (min_rtt_ms_ < 0 || *rtt_ms <= min_rtt_ms_ || now_ms - min_rtt_since_ms_ > min_rtt_window_ms) {
      min_rtt_ms_ = *rtt_ms;
      min_rtt_since_ms_ = now_ms;
    }
    queueing = *rtt_ms > 2 * min_rtt_ms_ + 100;
  }
  double next = static_cast<double>(estimate_bps_);
  if (fraction_lost > 0.10)
    next *= 1.0 - 0.5 * fraction_lost;
  else if (queueing)
    next *= 0.85;
  else if (fraction_lost < 0.02 && now_ms - last_delay_feedback_ms_ > delay_signal_fresh_ms &&
           now_ms >= hold_growth_until_ms_)
    next = next * 1.08 + 1000;
  estimate_bps_ = std::clamp(static_cast<uint64_t>(next), min_bps, max_bps);
}

void bandwidth_estimator::on_delay_feedback(std::span<const delay_sample> samples, int64_t now_ms) noexcept {
  if (samples.empty()) return;
  last_delay_feedback_ms_ = now_ms;
  for (const auto& s : samples) {
    const int64_t delay = s.receive_us - s.send_us;
    if (delay <= min_delay_us_ || now_ms - min_delay_since_ms_ > min_delay_window_ms) {
      min_delay_us_ = delay;
      min_delay_since_ms_ = now_ms;
    }
  }
  int64_t queued = 0;
  uint64_t bytes = 0;
  int64_t first_receive = INT64_MAX, last_receive = INT64_MIN;
  for (const auto& s : samples) {
    queued += s.receive_us - s.send_us - min_delay_us_;
    bytes += s.bytes;
    first_receive = std::min(first_receive, s.receive_us);
    last_receive = std::max(last_receive, s.receive_us);
  }
  const int64_t previous_queue = queue_delay_us_;
  queue_delay_us_ = queued / static_cast<int64_t>(samples.size());
  const bool draining = queue_delay_us_ + 2'000 < previous_queue;

  if (queue_delay_us_ >= severe_queue_us || (queue_delay_us_ >= overuse_queue_us && !draining)) {
    hold_growth_until_ms_ = now_ms + hold_after_decrease_ms;
    last_delay_growth_ms_ = now_ms;
    if (now_ms - last_decrease_ms_ < decrease_interval_ms) return;
    last_decrease_ms_ = now_ms;
    // Below what actually got through, when the feedback spans enough time to say.
    double target = static_cast<double>(estimate_bps_);
    const int64_t span_us = last_receive - first_receive;
    if (samples.size() >= 5 && span_us >= 20'000)
      target = std::min(target, static_cast<double>(bytes) * 8e6 / static_cast<double>(span_us));
    estimate_bps_ = std::clamp(static_cast<uint64_t>(target * 0.85), min_bps, max_bps);
    return;
  }
  if (queue_delay_us_ >= clear_queue_us || now_ms < hold_growth_until_ms_) {
    last_delay_growth_ms_ = now_ms;  // hold
    return;
  }
  // A clear path: grow at the same pace receiver reports would, by elapsed time.
  const int64_t elapsed = last_delay_growth_ms_ < 0 ? 0 : std::min<int64_t>(now_ms - last_delay_growth_ms_, 1'000);
  last_delay_growth_ms_ = now_ms;
  if (elapsed <= 0) return;
  const double next = static_cast<double>(estimate_bps_) * (1.0 + growth_per_second * static_cast<double>(elapsed) / 1000.0) +
                      static_cast<double>(elapsed);
  estimate_bps_ = std::clamp(static_cast<uint64_t>(next), min_bps, max_bps);
}

uint8_t choose_simulcast_layer(uint64_t budget_bps, const std::array<uint64_t, 3>& layer_bps, uint8_t max_layer,
                               uint8_t current_layer) noexcept {
  uint8_t chosen = 0;
  const auto top = std::min<uint8_t>(max_layer, 2);
  for (uint8_t layer = 1; layer <= top; ++layer) {
    const uint64_t rate = layer_bps[layer];
    if (rate == 0) continue;
    // Staying needs the rate to fit; climbing needs a quarter more.
    const uint64_t needed = layer <= current_layer ? rate : rate + rate / 4;
    if (needed <= budget_bps) chosen = layer;
  }
  return chosen;
}

}  // namespace parley::media
