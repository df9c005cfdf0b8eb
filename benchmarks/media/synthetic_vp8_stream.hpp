// A synthetic VP8 video stream as RTP: fixed-size packets at a steady rate, with a real
// VP8 payload descriptor (RFC 7741) and frame header so servers recognise keyframes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace parley::bench {

struct synthetic_vp8_settings {
  uint32_t ssrc = 0;
  uint8_t payload_type = 96;
  size_t packet_size = 1200;        // whole RTP packet before SRTP, header included
  unsigned packets_per_frame = 8;   // 8 packets × 25 frames/s = 200 packets/s
  unsigned frames_per_second = 25;
  unsigned keyframe_interval_frames = 50;  // one keyframe every 2 s
  // RFC 8843 MID header extension (one-byte form), written in every packet when set.
  std::optional<uint8_t> mid_extension_id;
  char mid[8] = "0";
  uint16_t first_sequence = 0;
  uint32_t first_timestamp = 0;
  uint16_t first_picture_id = 0;
};

/// Writes one packet after another; the caller paces them (packets_per_second()).
class synthetic_vp8_stream {
public:
  explicit synthetic_vp8_stream(const synthetic_vp8_settings& settings);

  /// Writes the next packet into `out` (at least settings.packet_size bytes) and returns
  /// its size, or 0 if `out` is too small.
  size_t write_next(std::span<uint8_t> out);

  [[nodiscard]] double packets_per_second() const noexcept {
    return static_cast<double>(settings_.packets_per_frame) * settings_.frames_per_second;
  }
  [[nodiscard]] uint64_t packets_written() const noexcept { return packets_written_; }
  [[nodiscard]] uint64_t keyframes_started() const noexcept { return keyframes_started_; }
  [[nodiscard]] const synthetic_vp8_settings& settings() const noexcept { return settings_; }

private:
  synthetic_vp8_settings settings_;
  uint16_t sequence_;
  uint32_t timestamp_;
  uint16_t picture_id_;  // 15 bits
  unsigned frame_index_ = 0;
  unsigned packet_in_frame_ = 0;
  uint64_t packets_written_ = 0;
  uint64_t keyframes_started_ = 0;
};

/// What a receiver can tell from a VP8 RTP payload: whether it starts a keyframe
/// (S bit, partition 0, and the frame header's P bit clear with the keyframe start code).
/// Used by the load tool's receivers and its tests to check what the generator marks.
[[nodiscard]] bool vp8_payload_starts_keyframe(std::span<const uint8_t> payload) noexcept;

} // namespace parley::bench
