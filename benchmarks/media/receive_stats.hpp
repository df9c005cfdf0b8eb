// What one receiver got of one forwarded stream: packets, sequence gaps (loss), keyframes.
#pragma once

#include <cstdint>
#include <optional>

namespace parley::bench {

/// Counts a stream's packets by extended sequence number inside a measurement window.
/// The server rewrites sequence numbers to stay continuous, so a gap is a lost packet.
class receive_stats {
public:
  /// One packet that unprotected cleanly.
  void on_packet(uint16_t sequence, bool starts_keyframe) noexcept;

  /// Forgets the counts (not the sequence state): the window starts now.
  void begin_window() noexcept;

  [[nodiscard]] uint64_t received() const noexcept { return received_; }
  /// Packets the sequence numbers say were sent in the window (first to highest seen).
  [[nodiscard]] uint64_t expected() const noexcept;
  [[nodiscard]] uint64_t lost() const noexcept;
  [[nodiscard]] uint64_t keyframes() const noexcept { return keyframes_; }
  [[nodiscard]] uint64_t total_received() const noexcept { return total_received_; }

private:
  std::optional<int64_t> highest_;            // extended highest sequence seen
  std::optional<int64_t> window_first_;       // extended sequence of the window's first packet
  uint64_t received_ = 0;
  uint64_t keyframes_ = 0;
  uint64_t total_received_ = 0;
};

} // namespace parley::bench
