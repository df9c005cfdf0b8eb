// Keyframe detection for VP8 and H.264 RTP payloads.
#include "media/video_keyframe.hpp"

namespace parley::media {

bool vp8_starts_keyframe(std::span<const uint8_t> payload) noexcept {
  if (payload.empty()) return false;
  const uint8_t first = payload[0];
  const bool extended = (first & 0x80) != 0;
  const bool start_of_partition = (first & 0x10) != 0;
  const uint8_t partition_index = first & 0x07;
  if (!start_of_partition || partition_index != 0) return false;
  size_t offset = 1;
  if (extended) {
    if (payload.size() <= offset) return false;
    const uint8_t x = payload[offset++];
    if (x & 0x80) {  // I: picture id, 7 or 15 bits
      if (payload.size() <= offset) return false;
      offset += (payload[offset] & 0x80) ? 2 : 1;
    }
    if (x & 0x40) ++offset;           // L: TL0PICIDX
    if (x & 0x30) ++offset;           // T or K: TID/Y/KEYIDX
  }
  if (payload.size() <= offset) return false;
  return (payload[offset] & 0x01) == 0;  // P bit: 0 is a key frame
}

bool h264_starts_keyframe(std::span<const uint8_t> payload) noexcept {
  if (payload.empty()) return false;
  const uint8_t type = payload[0] & 0x1F;
  if (type == 5 || type == 7) return true;
  if (type == 24) {  // STAP-A: 16-bit size, then a NAL unit, repeated
    size_t offset = 1;
    while (offset + 2 < payload.size()) {
      const size_t size = (size_t{payload[offset]} << 8) | payload[offset + 1];
      offset += 2;
      if (size == 0 || offset + size > payload.size()) return false;
      const uint8_t inner = payload[offset] & 0x1F;
      if (inner == 5 || inner == 7) return true;
      offset += size;
    }
    return false;
  }
  if (type == 28 && payload.size() >= 2) {  // FU-A: start bit and the fragmented type
    return (payload[1] & 0x80) != 0 && (payload[1] & 0x1F) == 5;
  }
  return false;
}

}  // namespace parley::media
