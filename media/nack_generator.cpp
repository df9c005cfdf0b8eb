// Missing-packet bookkeeping for the NACKs the SFU sends to publishers.
#include "media/nack_generator.hpp"

#include <algorithm>

#include "media/byte_io.hpp"

namespace parley::media {

nack_generator::arrival nack_generator::on_packet(uint16_t sequence, int64_t now_ms) noexcept {
  if (!started_) {
    started_ = true;
    highest_ = sequence;
    return arrival::in_order;
  }
  if (seq_newer(sequence, highest_)) {
    const auto distance = static_cast<uint16_t>(sequence - highest_);
    const auto skipped = static_cast<size_t>(distance - 1);
    highest_ = sequence;
    if (skipped == 0) return arrival::in_order;
    if (skipped + count_ > max_missing) {
      given_up_ += count_ + skipped;
      count_ = 0;
      return arrival::too_large;
    }
    // First request at once (last_sent far in the past).
    for (uint16_t s = static_cast<uint16_t>(sequence - skipped); s != sequence; ++s)
      missing_[count_++] = {s, 0, now_ms - 1'000'000};
    return arrival::gap;
  }
  for (size_t i = 0; i < count_; ++i)
    if (missing_[i].sequence == sequence) {
      remove_at(i);
      return arrival::recovered;
    }
  return arrival::old;
}

size_t nack_generator::take_due(int64_t now_ms, int64_t rtt_ms, std::span<uint16_t> out) noexcept {
  const int64_t interval = std::max<int64_t>(min_retry_interval_ms, rtt_ms + 5);
  size_t written = 0;
  for (size_t i = 0; i < count_ && written < out.size();) {
    auto& e = missing_[i];
    if (e.retries >= max_retries) {
      ++given_up_;
      remove_at(i);
      continue;
    }
    if (now_ms - e.last_sent_ms >= interval) {
      e.last_sent_ms = now_ms;
      ++e.retries;
      out[written++] = e.sequence;
    }
    ++i;
  }
  // NACK items pack runs of 17; sending order keeps them together.
  std::sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(written),
            [base = static_cast<uint16_t>(highest_ + 1)](uint16_t a, uint16_t b) {
              return static_cast<uint16_t>(a - base) < static_cast<uint16_t>(b - base);
            });
  return written;
}

void nack_generator::reset() noexcept {
  started_ = false;
  count_ = 0;
}

void nack_generator::remove_at(size_t i) noexcept {
  missing_[i] = missing_[count_ - 1];
  --count_;
}

}  // namespace parley::media
