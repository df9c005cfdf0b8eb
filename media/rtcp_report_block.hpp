// One reception report block (RFC 3550 §6.4.1), shared by sender and receiver reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace parley::media {

constexpr size_t rtcp_report_block_size = 24;

struct rtcp_report_block {
  uint32_t ssrc = 0;
  uint8_t fraction_lost = 0;
  int32_t cumulative_lost = 0;  // 24-bit signed on the wire: duplicates can make it negative
  uint32_t highest_sequence = 0;
  uint32_t jitter = 0;
  uint32_t last_sr = 0;
  uint32_t delay_since_last_sr = 0;

  // Precondition: in.size() >= rtcp_report_block_size (callers validate the count first).
  [[nodiscard]] static rtcp_report_block parse(std::span<const uint8_t> in) noexcept;
  void write(std::span<uint8_t> out) const noexcept;

  friend bool operator==(const rtcp_report_block&, const rtcp_report_block&) = default;
};

}  // namespace parley::media
