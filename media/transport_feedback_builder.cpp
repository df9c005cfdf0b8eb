// Arrival ring and the packing of arrivals into transport-cc feedback messages.
#include "media/transport_feedback_builder.hpp"

#include <algorithm>

namespace parley::media {
namespace {

// The first sequence number is placed well above zero, so unwrapped numbers of packets
// reordered before it stay positive.
constexpr int64_t unwrap_origin = int64_t{1} << 20;

int64_t floor_div(int64_t a, int64_t b) noexcept {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace

transport_feedback_builder::transport_feedback_builder() : arrivals_(window, not_received) {
  message_.received.reserve(max_received_per_feedback);
}

void transport_feedback_builder::on_packet(uint16_t sequence, int64_t arrival_us) noexcept {
  if (!started_) {
    started_ = true;
    highest_ = unwrap_origin + sequence;
    next_unreported_ = highest_;
    slot(highest_) = arrival_us;
    return;
  }
  // The nearest unwrapped number to the highest one seen with these low 16 bits.
  const int64_t unwrapped = highest_ + static_cast<int16_t>(static_cast<uint16_t>(sequence - static_cast<uint16_t>(highest_)));
  if (unwrapped < next_unreported_) return;  // already reported as lost: too late to matter
  if (unwrapped > highest_) {
    // Slots after the old highest, this one's included, held numbers a whole ring older: now
    // they are gaps (and this one's arrival is written below).
    const int64_t clear_from = std::max(highest_ + 1, unwrapped - static_cast<int64_t>(window) + 1);
    for (int64_t s = clear_from; s <= unwrapped; ++s) slot(s) = not_received;
    highest_ = unwrapped;
    // Too far ahead for the ring: the oldest unreported numbers are given up.
    next_unreported_ = std::max(next_unreported_, highest_ - static_cast<int64_t>(window) + 1);
  }
  auto& at = slot(unwrapped);
  if (at == not_received) at = arrival_us;  // a duplicate keeps the first arrival
}

size_t transport_feedback_builder::write_next(uint32_t sender_ssrc, uint32_t media_ssrc, std::span<uint8_t> out) {
  if (!pending() || out.size() < max_feedback_bytes) return 0;
  // A message starts at the first unreported number, lost or not, unless the lost run
  // before the next arrival is longer than a message may cover: then the run is skipped.
  int64_t first_received = next_unreported_;
  while (slot(first_received) == not_received) ++first_received;  // highest_ is received: ends
  if (first_received - next_unreported_ >= static_cast<int64_t>(max_statuses_per_feedback))
    next_unreported_ = first_received;

  auto& m = message_;
  m.sender_ssrc = sender_ssrc;
  m.media_ssrc = media_ssrc;
  m.feedback_count = feedback_count_;
  m.base_sequence = static_cast<uint16_t>(next_unreported_);
  m.received.clear();
  const int64_t reference = floor_div(slot(first_received), twcc_reference_time_unit_us);
  m.reference_time = static_cast<int32_t>(reference & 0xFFFFFF);
  if ((m.reference_time & 0x800000) != 0) m.reference_time -= 0x1000000;
  // Deltas run against the rounded time already sent, so rounding errors never add up.
  int64_t previous_us = reference * twcc_reference_time_unit_us;
  int64_t last_received = first_received;
  const int64_t end = std::min(highest_ + 1, next_unreported_ + static_cast<int64_t>(max_statuses_per_feedback));
  for (int64_t s = first_received; s < end && m.received.size() < max_received_per_feedback; ++s) {
    const int64_t arrival = slot(s);
    if (arrival == not_received) continue;
    const int64_t ticks = floor_div(arrival - previous_us + twcc_delta_unit_us / 2, twcc_delta_unit_us);
    // A jump a 16-bit delta cannot carry (over 8 s): the next message starts here with a
    // new reference time. The first arrival is always within 64 ms of the reference.
    if (ticks < INT16_MIN || ticks > INT16_MAX) break;
    m.received.push_back({static_cast<uint16_t>(s), static_cast<int32_t>(ticks)});
    previous_us += ticks * twcc_delta_unit_us;
    last_received = s;
  }
  m.packet_status_count = static_cast<uint16_t>(last_received - next_unreported_ + 1);
  next_unreported_ = last_received + 1;
  const auto size = m.write(out);
  if (!size) return 0;  // cannot happen within the bounds above; those arrivals go unreported
  ++feedback_count_;
  return *size;
}

}  // namespace parley::media
