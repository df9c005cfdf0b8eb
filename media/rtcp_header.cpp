// RTCP common and feedback headers.
#include "media/rtcp_header.hpp"

#include "media/byte_io.hpp"

namespace parley::media {

parse_result<rtcp_header> parse_rtcp_header(std::span<const uint8_t> b) noexcept {
  if (b.size() < rtcp_header_size) return parse_error::truncated;
  if ((b[0] >> 6) != 2) return parse_error::bad_version;
  rtcp_header h;
  h.count = b[0] & 0x1F;
  h.packet_type = b[1];
  h.size = (static_cast<size_t>(read_u16(b, 2)) + 1) * 4;
  if (h.size > b.size()) return parse_error::truncated;
  size_t padding = 0;
  if ((b[0] & 0x20) != 0) {
    padding = b[h.size - 1];
    if (padding == 0 || padding > h.size - rtcp_header_size) return parse_error::bad_padding;
  }
  h.body = b.subspan(rtcp_header_size, h.size - rtcp_header_size - padding);
  return h;
}

void write_rtcp_header(std::span<uint8_t> out, uint8_t count, uint8_t packet_type, size_t size) noexcept {
  out[0] = static_cast<uint8_t>(0x80 | (count & 0x1F));
  out[1] = packet_type;
  write_u16(out, 2, static_cast<uint16_t>(size / 4 - 1));
}

parse_result<rtcp_feedback_header> parse_rtcp_feedback(std::span<const uint8_t> packet, uint8_t packet_type,
                                                       uint8_t fmt) noexcept {
  const auto h = parse_rtcp_header(packet);
  if (!h) return h.error();
  if (h->packet_type != packet_type || h->count != fmt) return parse_error::bad_type;
  if (h->body.size() < 8) return parse_error::truncated;
  return rtcp_feedback_header{read_u32(h->body, 0), read_u32(h->body, 4), h->body.subspan(8)};
}

void write_rtcp_feedback_header(std::span<uint8_t> out, uint8_t fmt, uint8_t packet_type, size_t size,
                                uint32_t sender_ssrc, uint32_t media_ssrc) noexcept {
  write_rtcp_header(out, fmt, packet_type, size);
  write_u32(out, 4, sender_ssrc);
  write_u32(out, 8, media_ssrc);
}

}  // namespace parley::media
