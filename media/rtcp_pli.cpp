// PLI encoding.
#include "media/rtcp_pli.hpp"

#include "media/rtcp_header.hpp"

namespace parley::media {

parse_result<rtcp_pli> rtcp_pli::parse(std::span<const uint8_t> packet) noexcept {
  const auto fb = parse_rtcp_feedback(packet, rtcp_type::payload_feedback, rtcp_fmt::pli);
  if (!fb) return fb.error();
  return rtcp_pli{fb->sender_ssrc, fb->media_ssrc};
}

std::optional<size_t> rtcp_pli::write(std::span<uint8_t> out) const noexcept {
  if (out.size() < size()) return std::nullopt;
  write_rtcp_feedback_header(out, rtcp_fmt::pli, rtcp_type::payload_feedback, size(), sender_ssrc, media_ssrc);
  return size();
}

}  // namespace parley::media
