// RFC 3711 §3.3.1 packet index estimation and §3.3.2 replay list for one SRTP stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace parley::media {

enum class replay_check : uint8_t { fresh, repeated, too_old };

// The 48-bit index (ROC << 16 | SEQ) of one SSRC's packets and which of the last `window`
// indexes were seen. The estimate follows RFC 3711 Appendix A like libsrtp does, including
// its rule that while the highest index is below 2^15 the rollover counter is taken as 0.
class srtp_packet_index {
 public:
  static constexpr size_t window = 1024;

  struct estimate {
    uint64_t index;  // the packet's full index
    int64_t delta;   // index - highest seen so far
  };

  [[nodiscard]] estimate estimate_for(uint16_t sequence) const noexcept;
  [[nodiscard]] replay_check check(int64_t delta) const noexcept;
  // Records an index whose packet was authenticated (or protected): it becomes the highest
  // if newer, and is marked seen.
  void accept(const estimate& e) noexcept;
  [[nodiscard]] uint64_t highest() const noexcept { return highest_; }

 private:
  uint64_t highest_ = 0;
  // Bit i of the window: index highest_ - i was seen.
  std::array<uint64_t, window / 64> seen_{};
};

// RFC 3711 §3.4 SRTCP: an explicit 31-bit index, so only a replay list (128 deep like
// libsrtp's) is needed.
class srtcp_replay_list {
 public:
  static constexpr uint32_t window = 128;
  [[nodiscard]] replay_check check(uint32_t index) const noexcept;
  void accept(uint32_t index) noexcept;

 private:
  bool any_ = false;
  uint32_t highest_ = 0;
  std::array<uint64_t, window / 64> seen_{};
};

}  // namespace parley::media
