// Per outgoing stream: which source packet went out under each rewritten sequence number,
// so a subscriber's NACK can be answered from the publisher stream's retransmission cache.
// A fixed ring of small records (no packet bytes): forwarding copies each packet once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace parley::media {

class sent_packet_map {
 public:
  struct entry {
    uint16_t out_sequence = 0;
    uint16_t source_sequence = 0;
    uint32_t out_timestamp = 0;
    uint8_t layer = 0;
    bool used = false;
    int64_t last_resent_ms = -1'000'000;
  };

  // capacity is rounded up to a power of two.
  explicit sent_packet_map(size_t capacity);

  void record(uint16_t out_sequence, uint8_t layer, uint16_t source_sequence, uint32_t out_timestamp) noexcept;
  // The record of exactly this outgoing sequence number, if it is still in the ring.
  [[nodiscard]] entry* find(uint16_t out_sequence) noexcept;
  void clear() noexcept;

 private:
  std::vector<entry> entries_;
};

}  // namespace parley::media
