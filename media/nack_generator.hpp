// Loss detection on one incoming RTP stream: remembers the sequence numbers that a gap
// skipped and says which to ask the publisher for again (RFC 4585 generic NACK), with a
// retry interval and a retry limit. Fixed memory; nothing allocates after construction.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace parley::media {

class nack_generator {
 public:
  static constexpr size_t max_missing = 128;  // a longer hole is not worth repairing: ask for a keyframe
  static constexpr uint8_t max_retries = 8;
  static constexpr int64_t min_retry_interval_ms = 20;

  enum class arrival : uint8_t {
    in_order,   // the next packet or the first one
    recovered,  // a packet that was missing
    gap,        // newer than expected: the skipped ones are now missing
    too_large,  // the gap or the missing list overflowed: everything missing was forgotten
    old,        // older than the newest and never missing (a duplicate or late beyond repair)
  };

  arrival on_packet(uint16_t sequence, int64_t now_ms) noexcept;

  // Writes the sequence numbers due for a (re)request at `now_ms` into `out` (returns how
  // many) and counts the attempt; an entry retried max_retries times is given up.
  size_t take_due(int64_t now_ms, int64_t rtt_ms, std::span<uint16_t> out) noexcept;

  [[nodiscard]] size_t missing() const noexcept { return count_; }
  [[nodiscard]] uint64_t given_up() const noexcept { return given_up_; }
  void reset() noexcept;

 private:
  struct entry {
    uint16_t sequence = 0;
    uint8_t retries = 0;
    int64_t last_sent_ms = 0;
  };
  void remove_at(size_t i) noexcept;

  bool started_ = false;
  uint16_t highest_ = 0;
  std::array<entry, max_missing> missing_{};  // unordered; small enough to scan
  size_t count_ = 0;
  uint64_t given_up_ = 0;
};

}  // namespace parley::media
