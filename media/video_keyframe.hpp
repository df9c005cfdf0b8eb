// Tells whether an RTP payload starts a keyframe, so the SFU can switch streams on it and
// know when a subscriber that asked for a keyframe has one.
#pragma once

#include <cstdint>
#include <span>

namespace parley::media {

enum class video_codec : uint8_t { vp8, h264, other };

// VP8 (RFC 7741): the payload descriptor is skipped; true for the first packet of a
// keyframe (S=1, PID=0, and the P bit of the VP8 payload header clear).
[[nodiscard]] bool vp8_starts_keyframe(std::span<const uint8_t> payload) noexcept;

// H.264 (RFC 6184): an IDR slice or SPS as a single NAL, inside STAP-A, or the first FU-A
// fragment of an IDR slice.
[[nodiscard]] bool h264_starts_keyframe(std::span<const uint8_t> payload) noexcept;

[[nodiscard]] inline bool starts_keyframe(video_codec codec, std::span<const uint8_t> payload) noexcept {
  switch (codec) {
    case video_codec::vp8: return vp8_starts_keyframe(payload);
    case video_codec::h264: return h264_starts_keyframe(payload);
    case video_codec::other: return false;
  }
  return false;
}

}  // namespace parley::media
