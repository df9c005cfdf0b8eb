// Generic NACK encoding.
#include "media/rtcp_nack.hpp"

#include "media/byte_io.hpp"
#include "media/rtcp_header.hpp"

namespace parley::media {

parse_result<rtcp_nack> rtcp_nack::parse(std::span<const uint8_t> packet) {
  const auto fb = parse_rtcp_feedback(packet, rtcp_type::rtp_feedback, rtcp_fmt::generic_nack);
  if (!fb) return fb.error();
  if (fb->fci.empty() || fb->fci.size() % 4 != 0) return parse_error::bad_length;
  rtcp_nack nack;
  nack.sender_ssrc = fb->sender_ssrc;
  nack.media_ssrc = fb->media_ssrc;
  nack.items.reserve(fb->fci.size() / 4);
  for (size_t at = 0; at < fb->fci.size(); at += 4)
    nack.items.push_back({read_u16(fb->fci, at), read_u16(fb->fci, at + 2)});
  return nack;
}

rtcp_nack rtcp_nack::from_sequences(uint32_t sender_ssrc, uint32_t media_ssrc, std::span<const uint16_t> sequences) {
  rtcp_nack nack;
  nack.sender_ssrc = sender_ssrc;
  nack.media_ssrc = media_ssrc;
  for (uint16_t seq : sequences) {
    if (!nack.items.empty()) {
      auto& last = nack.items.back();
      const auto distance = static_cast<uint16_t>(seq - last.packet_id);
      if (distance == 0) continue;
      if (distance <= 16) {
        last.lost_bitmask = static_cast<uint16_t>(last.lost_bitmask | (1u << (distance - 1)));
        continue;
      }
    }
    nack.items.push_back({seq, 0});
  }
  return nack;
}

std::optional<size_t> rtcp_nack::write_sequences(uint32_t sender_ssrc, uint32_t media_ssrc,
                                                 std::span<const uint16_t> sequences, std::span<uint8_t> out) noexcept {
  size_t at = rtcp_feedback_header_size;
  bool open = false;
  uint16_t pid = 0;
  uint16_t blp = 0;
  for (uint16_t seq : sequences) {
    if (open) {
      const auto distance = static_cast<uint16_t>(seq - pid);
      if (distance == 0) continue;
      if (distance <= 16) {
        blp = static_cast<uint16_t>(blp | (1u << (distance - 1)));
        continue;
      }
      if (out.size() < at + 4) return std::nullopt;
      write_u16(out, at, pid);
      write_u16(out, at + 2, blp);
      at += 4;
    }
    open = true;
    pid = seq;
    blp = 0;
  }
  if (!open || out.size() < at + 4 || at + 4 > 4 * 65536) return std::nullopt;
  write_u16(out, at, pid);
  write_u16(out, at + 2, blp);
  at += 4;
  write_rtcp_feedback_header(out, rtcp_fmt::generic_nack, rtcp_type::rtp_feedback, at, sender_ssrc, media_ssrc);
  return at;
}

std::vector<uint16_t> rtcp_nack::sequences() const {
  std::vector<uint16_t> out;
  for_each_sequence([&](uint16_t s) { out.push_back(s); });
  return out;
}

size_t rtcp_nack::size() const noexcept { return rtcp_feedback_header_size + 4 * items.size(); }

std::optional<size_t> rtcp_nack::write(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (items.empty() || n > 4 * 65536 || out.size() < n) return std::nullopt;
  write_rtcp_feedback_header(out, rtcp_fmt::generic_nack, rtcp_type::rtp_feedback, n, sender_ssrc, media_ssrc);
  for (size_t i = 0; i < items.size(); ++i) {
    write_u16(out, 12 + 4 * i, items[i].packet_id);
    write_u16(out, 14 + 4 * i, items[i].lost_bitmask);
  }
  return n;
}

}  // namespace parley::media
