// Iterates the packets of a compound RTCP datagram (RFC 3550 §6.1) without copying.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/parse_result.hpp"
#include "media/rtcp_header.hpp"

namespace parley::media {

struct rtcp_packet_ref {
  rtcp_header header;
  std::span<const uint8_t> bytes;  // the whole packet, what the per-type parsers take
};

class rtcp_compound {
 public:
  explicit rtcp_compound(std::span<const uint8_t> datagram) noexcept : rest_(datagram) {}

  // The next packet, or nullopt at the end or at the first malformed packet (see error()).
  [[nodiscard]] std::optional<rtcp_packet_ref> next() noexcept;
  [[nodiscard]] std::optional<parse_error> error() const noexcept { return error_; }

 private:
  std::span<const uint8_t> rest_;
  std::optional<parse_error> error_;
};

// Checks a whole datagram: every packet well-formed and the lengths add up exactly.
// Reduced-size RTCP (RFC 5506, negotiated by Chromium) is accepted, so the first
// packet need not be a report.
[[nodiscard]] std::optional<parse_error> validate_rtcp_compound(std::span<const uint8_t> datagram) noexcept;

}  // namespace parley::media
