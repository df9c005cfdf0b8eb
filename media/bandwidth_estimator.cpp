// Loss- and RTT-driven send-side bandwidth estimation and the layer choice it drives.
#include "media/bandwidth_estimator.hpp"

#include <algorithm>

namespace parley::media {

namespace {
constexpr int64_t min_rtt_window_ms = 30'000;  // the path's floor is re-learnt after this long
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
  else if (fraction_lost < 0.02)
    next = next * 1.08 + 1000;
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
