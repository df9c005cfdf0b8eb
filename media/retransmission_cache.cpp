// Fixed-memory retransmission cache.
#include "media/retransmission_cache.hpp"

#include <algorithm>
#include <bit>

#include "media/byte_io.hpp"

namespace parley::media {

retransmission_cache::retransmission_cache(size_t capacity, size_t max_packet_size)
    : max_packet_size_(max_packet_size),
      slots_(std::bit_ceil(std::clamp<size_t>(capacity, 1, 32768))),
      storage_(slots_.size() * max_packet_size) {}

bool retransmission_cache::store(uint16_t sequence, std::span<const uint8_t> packet) noexcept {
  if (packet.size() > max_packet_size_) return false;
  // A packet older than the window would overwrite a newer one in its slot.
  if (have_newest_ && seq_newer(newest_, sequence) && static_cast<uint16_t>(newest_ - sequence) >= slots_.size())
    return false;
  const size_t index = sequence & (slots_.size() - 1);
  std::copy(packet.begin(), packet.end(), storage_.begin() + static_cast<std::ptrdiff_t>(index * max_packet_size_));
  slots_[index] = {packet.size(), sequence, true};
  if (!have_newest_ || seq_newer(sequence, newest_)) {
    newest_ = sequence;
    have_newest_ = true;
  }
  return true;
}

std::optional<std::span<const uint8_t>> retransmission_cache::find(uint16_t sequence) const noexcept {
  if (!have_newest_) return std::nullopt;
  // Beyond the window the slot holds something else, or a packet exactly 65536 old.
  if (static_cast<uint16_t>(newest_ - sequence) >= slots_.size()) return std::nullopt;
  const auto& s = slots_[sequence & (slots_.size() - 1)];
  if (!s.used || s.sequence != sequence) return std::nullopt;
  return std::span<const uint8_t>(storage_).subspan((sequence & (slots_.size() - 1)) * max_packet_size_, s.length);
}

void retransmission_cache::clear() noexcept {
  std::fill(slots_.begin(), slots_.end(), slot{});
  have_newest_ = false;
}

}  // namespace parley::media
