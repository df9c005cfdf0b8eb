// A send-side estimate of what one subscriber's path carries, from its receiver reports:
// loss above 10% cuts the estimate, a round-trip time well above the path's minimum (a
// queue building) cuts it gently, and a clean path lets it grow (the loss-based half of
// GCC, draft-ietf-rmcat-gcc §6, with RTT standing in for the delay signal). The estimate
// picks the simulcast layer the subscriber gets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace parley::media {

class bandwidth_estimator {
 public:
  static constexpr uint64_t min_bps = 50'000;
  static constexpr uint64_t max_bps = 20'000'000;

  explicit bandwidth_estimator(uint64_t initial_bps = 2'500'000) noexcept : estimate_bps_(initial_bps) {}

  // One receiver report: the loss fraction it gives and the round trip, if known.
  void on_report(double fraction_lost, std::optional<int64_t> rtt_ms, int64_t now_ms) noexcept;
  [[nodiscard]] uint64_t estimate_bps() const noexcept { return estimate_bps_; }

 private:
  uint64_t estimate_bps_;
  int64_t min_rtt_ms_ = -1;
  int64_t min_rtt_since_ms_ = 0;
};

// The highest layer not above `max_layer` whose bitrate fits `budget_bps`. Going up needs
// 25% headroom over the layer's rate, so the choice does not flap at the boundary; layers
// with an unknown rate (0) are skipped, and layer 0 is the floor.
[[nodiscard]] uint8_t choose_simulcast_layer(uint64_t budget_bps, const std::array<uint64_t, 3>& layer_bps,
                                             uint8_t max_layer, uint8_t current_layer) noexcept;

}  // namespace parley::media
