// Compound RTCP iteration.
#include "media/rtcp_compound.hpp"

namespace parley::media {

std::optional<rtcp_packet_ref> rtcp_compound::next() noexcept {
  if (rest_.empty() || error_) return std::nullopt;
  const auto h = parse_rtcp_header(rest_);
  if (!h) {
    error_ = h.error();
    return std::nullopt;
  }
  rtcp_packet_ref ref{*h, rest_.first(h->size)};
  rest_ = rest_.subspan(h->size);
  return ref;
}

std::optional<parse_error> validate_rtcp_compound(std::span<const uint8_t> datagram) noexcept {
  if (datagram.empty()) return parse_error::truncated;
  rtcp_compound c(datagram);
  while (c.next()) {
  }
  return c.error();
}

}  // namespace parley::media
