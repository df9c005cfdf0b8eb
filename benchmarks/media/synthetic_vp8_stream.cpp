// Writes RTP packets carrying a VP8 payload descriptor with a 15-bit PictureID and, on the
// first packet of each frame, the VP8 frame tag (RFC 6386 §9.1) — a keyframe's with the
// start code and a 1280x720 size, so keyframe detection by any SFU sees a real keyframe.
#include "benchmarks/media/synthetic_vp8_stream.hpp"

#include <algorithm>
#include <cstring>

#include "media/byte_io.hpp"

namespace parley::bench {
namespace {

constexpr size_t rtp_header_size = 12;
constexpr uint32_t vp8_clock_rate = 90'000;
constexpr uint32_t first_partition_size = 1000;  // arbitrary: the payload is synthetic
constexpr uint16_t frame_width = 1280;
constexpr uint16_t frame_height = 720;

} // namespace

synthetic_vp8_stream::synthetic_vp8_stream(const synthetic_vp8_settings& settings)
    : settings_(settings), sequence_(settings.first_sequence), timestamp_(settings.first_timestamp),
      picture_id_(static_cast<uint16_t>(settings.first_picture_id & 0x7FFF)) {
  settings_.packets_per_frame = std::max(1u, settings_.packets_per_frame);
  settings_.frames_per_second = std::max(1u, settings_.frames_per_second);
  settings_.keyframe_interval_frames = std::max(1u, settings_.keyframe_interval_frames);
}

size_t synthetic_vp8_stream::write_next(std::span<uint8_t> out) {
  const size_t size = settings_.packet_size;
  const size_t mid_length = std::strlen(settings_.mid);
  const bool with_mid = settings_.mid_extension_id.has_value() && mid_length > 0 && mid_length <= 16;
  // One-byte extension block: 4-byte header, element (1 + length), padded to 32 bits.
  const size_t extension_size = with_mid ? 4 + ((1 + mid_length + 3) / 4) * 4 : 0;
  if (out.size() < size || size < rtp_header_size + extension_size + 4 + 10)
    return 0;

  const bool first_of_frame = packet_in_frame_ == 0;
  const bool last_of_frame = packet_in_frame_ + 1 == settings_.packets_per_frame;
  const bool keyframe = frame_index_ % settings_.keyframe_interval_frames == 0;

  auto packet = out.first(size);
  std::fill(packet.begin(), packet.end(), uint8_t{0});
  packet[0] = static_cast<uint8_t>(0x80 | (with_mid ? 0x10 : 0));  // V=2, X when extended
  packet[1] = static_cast<uint8_t>((last_of_frame ? 0x80 : 0) | (settings_.payload_type & 0x7F));
  media::write_u16(packet, 2, sequence_);
  media::write_u32(packet, 4, timestamp_);
  media::write_u32(packet, 8, settings_.ssrc);
  size_t at = rtp_header_size;
  if (with_mid) {
    media::write_u16(packet, at, 0xBEDE);
    media::write_u16(packet, at + 2, static_cast<uint16_t>((extension_size - 4) / 4));
    packet[at + 4] = static_cast<uint8_t>((*settings_.mid_extension_id << 4) | (mid_length - 1));
    std::memcpy(packet.data() + at + 5, settings_.mid, mid_length);
    at += extension_size;
  }

  // VP8 payload descriptor: X=1, S on the first packet of the frame, PID=0; then I=1 with
  // a 15-bit PictureID (M=1).
  packet[at++] = static_cast<uint8_t>(0x80 | (first_of_frame ? 0x10 : 0));
  packet[at++] = 0x80;
  packet[at++] = static_cast<uint8_t>(0x80 | (picture_id_ >> 8));
  packet[at++] = static_cast<uint8_t>(picture_id_ & 0xFF);
  if (first_of_frame) {
    // Frame tag, little-endian: P (0 = keyframe) | version 0 | show_frame | partition size.
    const uint32_t tag = (keyframe ? 0u : 1u) | (1u << 4) | (first_partition_size << 5);
    packet[at++] = static_cast<uint8_t>(tag);
    packet[at++] = static_cast<uint8_t>(tag >> 8);
    packet[at++] = static_cast<uint8_t>(tag >> 16);
    if (keyframe) {
      packet[at++] = 0x9D;
      packet[at++] = 0x01;
      packet[at++] = 0x2A;
      packet[at++] = static_cast<uint8_t>(frame_width & 0xFF);
      packet[at++] = static_cast<uint8_t>(frame_width >> 8);
      packet[at++] = static_cast<uint8_t>(frame_height & 0xFF);
      packet[at++] = static_cast<uint8_t>(frame_height >> 8);
    }
  }
  // The rest is a recognisable filler pattern (the sequence number's low byte).
  std::fill(packet.begin() + static_cast<std::ptrdiff_t>(at), packet.end(), static_cast<uint8_t>(sequence_));

  if (first_of_frame && keyframe)
    ++keyframes_started_;
  ++packets_written_;
  ++sequence_;
  if (last_of_frame) {
    packet_in_frame_ = 0;
    ++frame_index_;
    timestamp_ += vp8_clock_rate / settings_.frames_per_second;
    picture_id_ = static_cast<uint16_t>((picture_id_ + 1) & 0x7FFF);
  } else {
    ++packet_in_frame_;
  }
  return size;
}

bool vp8_payload_starts_keyframe(std::span<const uint8_t> payload) noexcept {
  if (payload.empty())
    return false;
  const uint8_t first = payload[0];
  const bool extended = (first & 0x80) != 0;
  const bool start = (first & 0x10) != 0;
  const uint8_t partition = first & 0x07;
  size_t at = 1;
  if (extended) {
    if (payload.size() <= at)
      return false;
    const uint8_t flags = payload[at++];
    if ((flags & 0x80) != 0) {  // I: PictureID, 7 or 15 bits
      if (payload.size() <= at)
        return false;
      at += (payload[at] & 0x80) != 0 ? 2 : 1;
    }
    if ((flags & 0x40) != 0)  // L: TL0PICIDX
      ++at;
    if ((flags & 0x30) != 0)  // T or K: TID/Y/KEYIDX
      ++at;
  }
  if (!start || partition != 0 || payload.size() < at + 10)
    return false;
  const bool inverse_key_flag = (payload[at] & 0x01) != 0;
  return !inverse_key_flag && payload[at + 3] == 0x9D && payload[at + 4] == 0x01 && payload[at + 5] == 0x2A;
}

} // namespace parley::bench
