// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb), an application-layer
// feedback message; Chromium raises its send rate only when it gets bandwidth feedback.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/parse_result.hpp"

namespace parley::media {

struct rtcp_remb {
  uint32_t sender_ssrc = 0;
  uint64_t bitrate_bps = 0;  // written as 18-bit mantissa << 6-bit exponent, so rounded down
  std::vector<uint32_t> ssrcs;

  [[nodiscard]] static parse_result<rtcp_remb> parse(std::span<const uint8_t> packet);
  [[nodiscard]] size_t size() const noexcept { return 20 + 4 * ssrcs.size(); }
  [[nodiscard]] std::optional<size_t> write(std::span<uint8_t> out) const noexcept;
  // The same encoding from plain values, for the SFU's periodic feedback (no allocation).
  [[nodiscard]] static std::optional<size_t> write_to(uint32_t sender_ssrc, uint64_t bitrate_bps,
                                                      std::span<const uint32_t> ssrcs, std::span<uint8_t> out) noexcept;

  friend bool operator==(const rtcp_remb&, const rtcp_remb&) = default;
};

}  // namespace parley::media
