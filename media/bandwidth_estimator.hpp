// A send-side estimate of what one subscriber's path carries, from its receiver reports:
// loss above 10% cuts the estimate, a round-trip time well above the path's minimum (a
// queue building) cuts it gently, and a clean path lets it grow (the loss-based half of
// GCC, draft-ietf-rmcat-gcc §6, with RTT standing in for the delay signal). When the
// subscriber sends transport-cc feedback, its per-packet one-way delays give the real delay
// signal: a queue that builds cuts the estimate to below what the path delivered, and while
// that signal is present it alone lets the estimate grow. The estimate picks the simulcast
// layer the subscriber gets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace parley::media {

// One packet of a transport-cc feedback: when we sent it, when the subscriber got it (its
// clock: only differences count), and its size.
struct delay_sample {
  int64_t send_us = 0;
  int64_t receive_us = 0;
  uint32_t bytes = 0;
};

class bandwidth_estimator {
 public:
  static constexpr uint64_t min_bps = 50'000;
  static constexpr uint64_t max_bps = 20'000'000;

  explicit bandwidth_estimator(uint64_t initial_bps = 2'500'000) noexcept : estimate_bps_(initial_bps) {}

  // One receiver report: the loss fraction it gives and the round trip, if known.
  void on_report(double fraction_lost, std::optional<int64_t> rtt_ms, int64_t now_ms) noexcept;
  // One transport-cc feedback's received packets, in sequence order.
  void on_delay_feedback(std::span<const delay_sample> samples, int64_t now_ms) noexcept;
  // The queueing delay the last feedback showed (its mean above the path's minimum).
  [[nodiscard]] int64_t queue_delay_us() const noexcept { return queue_delay_us_; }
  [[nodiscard]] uint64_t estimate_bps() const noexcept { return estimate_bps_; }

 private:
  uint64_t estimate_bps_;
  int64_t min_rtt_ms_ = -1;
  int64_t min_rtt_since_ms_ = 0;
  // Delay signal from transport-cc feedback.
  int64_t min_delay_us_ = INT64_MAX;
  int64_t min_delay_since_ms_ = 0;
  int64_t queue_delay_us_ = 0;
  int64_t last_delay_feedback_ms_ = -1'000'000;
  int64_t last_delay_growth_ms_ = -1;
  int64_t last_decrease_ms_ = -1'000'000;
  int64_t hold_growth_until_ms_ = -1'000'000;
};

// The highest layer not above `max_layer` whose bitrate fits `budget_bps`. Going up needs
// 25% headroom over the layer's rate, so the choice does not flap at the boundary; layers
// with an unknown rate (0) are skipped, and layer 0 is the floor.
[[nodiscard]] uint8_t choose_simulcast_layer(uint64_t budget_bps, const std::array<uint64_t, 3>& layer_bps,
                                             uint8_t max_layer, uint8_t current_layer) noexcept;

}  // namespace parley::media
