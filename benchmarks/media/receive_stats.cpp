// Extends 16-bit sequence numbers across wrap-around and counts what arrived.
#include "benchmarks/media/receive_stats.hpp"

namespace parley::bench {

void receive_stats::on_packet(uint16_t sequence, bool starts_keyframe) noexcept {
  int64_t extended = sequence;
  if (highest_) {
    // The extension nearest to the highest seen: handles wrap and modest reordering.
    const int64_t base = *highest_ & ~int64_t{0xFFFF};
    extended = base | sequence;
    if (extended - *highest_ > 0x8000)
      extended -= 0x10000;
    else if (*highest_ - extended > 0x8000)
      extended += 0x10000;
    if (extended > *highest_)
      highest_ = extended;
  } else {
    highest_ = extended;
  }
  ++total_received_;
  if (!window_first_)
    window_first_ = extended;
  else if (extended < *window_first_)
    return;  // sent before the window began: neither expected nor counted in it
  ++received_;
  if (starts_keyframe)
    ++keyframes_;
}

void receive_stats::begin_window() noexcept {
  received_ = 0;
  keyframes_ = 0;
  window_first_.reset();
}

uint64_t receive_stats::expected() const noexcept {
  if (!window_first_ || !highest_)
    return 0;
  return static_cast<uint64_t>(*highest_ - *window_first_ + 1);
}

uint64_t receive_stats::lost() const noexcept {
  const auto e = expected();
  return e > received_ ? e - received_ : 0;
}

} // namespace parley::bench
