// The send side of transport-wide congestion control towards one subscriber: numbers each
// packet sent on the transport (the transport-wide sequence the SFU stamps) and remembers
// when it went and how big it was, so the subscriber's transport-cc feedback becomes
// per-packet one-way delays. A fixed ring: recording allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace parley::media {

class transport_send_history {
 public:
  // Packets remembered: a few seconds at any rate one subscriber receives.
  static constexpr size_t capacity = 4096;

  transport_send_history() : entries_(capacity) {}

  // Numbers one outgoing packet and records it; returns the number to stamp.
  uint16_t record(int64_t send_us, size_t bytes) noexcept {
    const uint16_t sequence = next_++;
    entries_[sequence & (capacity - 1)] = {send_us, static_cast<uint32_t>(bytes), sequence, true};
    return sequence;
  }

  struct sent {
    int64_t send_us = 0;
    uint32_t bytes = 0;
  };
  // The packet sent under this number, if the ring still holds it.
  [[nodiscard]] std::optional<sent> find(uint16_t sequence) const noexcept {
    const auto& e = entries_[sequence & (capacity - 1)];
    if (!e.used || e.sequence != sequence) return std::nullopt;
    return sent{e.send_us, e.bytes};
  }

 private:
  struct entry {
    int64_t send_us = 0;
    uint32_t bytes = 0;
    uint16_t sequence = 0;
    bool used = false;
  };
  std::vector<entry> entries_;
  uint16_t next_ = 0;
};

}  // namespace parley::media
