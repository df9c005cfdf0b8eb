// RTCP receiver report (RFC 3550 §6.4.2): loss and jitter the SFU reports to senders.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/parse_result.hpp"
#include "media/rtcp_report_block.hpp"

namespace parley::media {

struct rtcp_receiver_report {
  uint32_t ssrc = 0;
  std::vector<rtcp_report_block> reports;  // at most 31

  [[nodiscard]] static parse_result<rtcp_receiver_report> parse(std::span<const uint8_t> packet);
  [[nodiscard]] size_t size() const noexcept;
  [[nodiscard]] std::optional<size_t> write(std::span<uint8_t> out) const noexcept;

  friend bool operator==(const rtcp_receiver_report&, const rtcp_receiver_report&) = default;
};

}  // namespace parley::media
