// RTCP sender report (RFC 3550 §6.4.1): what the SFU sends for each outgoing stream.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/parse_result.hpp"
#include "media/rtcp_report_block.hpp"

namespace parley::media {

struct rtcp_sender_report {
  uint32_t ssrc = 0;
  uint64_t ntp_timestamp = 0;  // 32.32 fixed point seconds since 1900
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
  std::vector<rtcp_report_block> reports;  // at most 31

  [[nodiscard]] static parse_result<rtcp_sender_report> parse(std::span<const uint8_t> packet);
  [[nodiscard]] size_t size() const noexcept;
  [[nodiscard]] std::optional<size_t> write(std::span<uint8_t> out) const noexcept;

  friend bool operator==(const rtcp_sender_report&, const rtcp_sender_report&) = default;
};

}  // namespace parley::media
