// RTCP BYE encoding.
#include "media/rtcp_bye.hpp"

#include <algorithm>

#include "media/byte_io.hpp"
#include "media/rtcp_header.hpp"

namespace parley::media {

parse_result<rtcp_bye> rtcp_bye::parse(std::span<const uint8_t> packet) {
  const auto h = parse_rtcp_header(packet);
  if (!h) return h.error();
  if (h->packet_type != rtcp_type::bye) return parse_error::bad_type;
  const auto body = h->body;
  if (body.size() < 4 * size_t{h->count}) return parse_error::truncated;
  rtcp_bye bye;
  for (size_t i = 0; i < h->count; ++i) bye.ssrcs.push_back(read_u32(body, 4 * i));
  const size_t at = 4 * size_t{h->count};
  if (at < body.size()) {
    const size_t length = body[at];
    if (body.size() - at - 1 < length) return parse_error::truncated;
    bye.reason.assign(reinterpret_cast<const char*>(body.data() + at + 1), length);
  }
  return bye;
}

size_t rtcp_bye::size() const noexcept {
  size_t n = rtcp_header_size + 4 * ssrcs.size();
  if (!reason.empty()) n += (1 + reason.size() + 3) & ~size_t{3};
  return n;
}

std::optional<size_t> rtcp_bye::write(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (ssrcs.size() > 31 || reason.size() > 255 || out.size() < n) return std::nullopt;
  std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), uint8_t{0});
  write_rtcp_header(out, static_cast<uint8_t>(ssrcs.size()), rtcp_type::bye, n);
  for (size_t i = 0; i < ssrcs.size(); ++i) write_u32(out, 4 + 4 * i, ssrcs[i]);
  if (!reason.empty()) {
    const size_t at = 4 + 4 * ssrcs.size();
    out[at] = static_cast<uint8_t>(reason.size());
    std::copy(reason.begin(), reason.end(), out.begin() + static_cast<std::ptrdiff_t>(at + 1));
  }
  return n;
}

}  // namespace parley::media
