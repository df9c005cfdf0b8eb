// RTCP SDES parsing.
#include "media/rtcp_sdes.hpp"

#include "media/byte_io.hpp"
#include "media/rtcp_header.hpp"

namespace parley::media {

parse_result<rtcp_sdes> rtcp_sdes::parse(std::span<const uint8_t> packet) {
  const auto h = parse_rtcp_header(packet);
  if (!h) return h.error();
  if (h->packet_type != rtcp_type::sdes) return parse_error::bad_type;
  const auto body = h->body;
  rtcp_sdes sdes;
  size_t at = 0;
  for (size_t c = 0; c < h->count; ++c) {
    if (body.size() - at < 4) return parse_error::truncated;
    rtcp_sdes_chunk chunk;
    chunk.ssrc = read_u32(body, at);
    at += 4;
    for (;;) {
      if (at >= body.size()) return parse_error::truncated;
      const uint8_t type = body[at];
      if (type == 0) {
        // The null item ends the list; the chunk then pads to a 32-bit boundary.
        at = (at + 4) & ~size_t{3};
        break;
      }
      if (body.size() - at < 2) return parse_error::truncated;
      const size_t length = body[at + 1];
      if (body.size() - at - 2 < length) return parse_error::truncated;
      chunk.items.push_back({type, {reinterpret_cast<const char*>(body.data() + at + 2), length}});
      at += 2 + length;
    }
    if (at > body.size()) return parse_error::truncated;
    sdes.chunks.push_back(std::move(chunk));
  }
  return sdes;
}

std::optional<std::string_view> rtcp_sdes::cname(uint32_t ssrc) const noexcept {
  for (const auto& chunk : chunks) {
    if (chunk.ssrc != ssrc) continue;
    for (const auto& item : chunk.items)
      if (item.type == sdes_item_type::cname) return item.text;
  }
  return std::nullopt;
}

}  // namespace parley::media
