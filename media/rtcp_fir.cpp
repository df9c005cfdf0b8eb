// FIR encoding.
#include "media/rtcp_fir.hpp"

#include <algorithm>

#include "media/byte_io.hpp"
#include "media/rtcp_header.hpp"

namespace parley::media {

parse_result<rtcp_fir> rtcp_fir::parse(std::span<const uint8_t> packet) {
  const auto fb = parse_rtcp_feedback(packet, rtcp_type::payload_feedback, rtcp_fmt::fir);
  if (!fb) return fb.error();
  if (fb->fci.empty() || fb->fci.size() % 8 != 0) return parse_error::bad_length;
  rtcp_fir fir;
  fir.sender_ssrc = fb->sender_ssrc;
  fir.entries.reserve(fb->fci.size() / 8);
  for (size_t at = 0; at < fb->fci.size(); at += 8) fir.entries.push_back({read_u32(fb->fci, at), fb->fci[at + 4]});
  return fir;
}

std::optional<size_t> rtcp_fir::write(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (entries.empty() || n > 4 * 65536 || out.size() < n) return std::nullopt;
  // RFC 5104: the media source SSRC of the common header is unused and set to zero.
  write_rtcp_feedback_header(out, rtcp_fmt::fir, rtcp_type::payload_feedback, n, sender_ssrc, 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    const size_t at = 12 + 8 * i;
    write_u32(out, at, entries[i].ssrc);
    out[at + 4] = entries[i].sequence;
    std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(at + 5), 3, uint8_t{0});
  }
  return n;
}

}  // namespace parley::media
