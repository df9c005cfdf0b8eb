// A per-stream ring of recently sent RTP packets, keyed by sequence number, that answers
// NACKs. All memory is taken up front: storing a packet copies it into a fixed slot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace parley::media {

class retransmission_cache {
 public:
  // capacity is rounded up to a power of two (at most 32768) so that slot = seq % capacity
  // stays consistent across the 16-bit wrap.
  retransmission_cache(size_t capacity, size_t max_packet_size);

  // False if the packet is larger than a slot; the cache is then unchanged.
  bool store(uint16_t sequence, std::span<const uint8_t> packet) noexcept;

  // The stored packet with exactly this sequence number, if it is still in the window.
  [[nodiscard]] std::optional<std::span<const uint8_t>> find(uint16_t sequence) const noexcept;

  [[nodiscard]] size_t capacity() const noexcept { return slots_.size(); }
  void clear() noexcept;

 private:
  struct slot {
    size_t length = 0;
    uint16_t sequence = 0;
    bool used = false;
  };

  size_t max_packet_size_;
  std::vector<slot> slots_;
  std::vector<uint8_t> storage_;  // slots_.size() * max_packet_size_ bytes
  bool have_newest_ = false;
  uint16_t newest_ = 0;
};

}  // namespace parley::media
