// Ring of outgoing sequence numbers and their sources.
#include "media/sent_packet_map.hpp"

#include <algorithm>
#include <bit>

namespace parley::media {

sent_packet_map::sent_packet_map(size_t capacity) : entries_(std::bit_ceil(std::clamp<size_t>(capacity, 1, 32768))) {}

void sent_packet_map::record(uint16_t out_sequence, uint8_t layer, uint16_t source_sequence,
                             uint32_t out_timestamp) noexcept {
  auto& e = entries_[out_sequence & (entries_.size() - 1)];
  if (e.used && e.out_sequence == out_sequence && e.source_sequence == source_sequence && e.layer == layer) return;
  e = {out_sequence, source_sequence, out_timestamp, layer, true, -1'000'000};
}

sent_packet_map::entry* sent_packet_map::find(uint16_t out_sequence) noexcept {
  auto& e = entries_[out_sequence & (entries_.size() - 1)];
  return e.used && e.out_sequence == out_sequence ? &e : nullptr;
}

void sent_packet_map::clear() noexcept { std::fill(entries_.begin(), entries_.end(), entry{}); }

}  // namespace parley::media
