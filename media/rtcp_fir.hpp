// Full intra request (RFC 5104 §4.3.1): the keyframe request for senders that want FIR.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/parse_result.hpp"

namespace parley::media {

struct rtcp_fir_entry {
  uint32_t ssrc = 0;
  uint8_t sequence = 0;  // incremented per new request, so repeats can be told apart

  friend bool operator==(const rtcp_fir_entry&, const rtcp_fir_entry&) = default;
};

struct rtcp_fir {
  uint32_t sender_ssrc = 0;
  std::vector<rtcp_fir_entry> entries;

  [[nodiscard]] static parse_result<rtcp_fir> parse(std::span<const uint8_t> packet);
  [[nodiscard]] size_t size() const noexcept { return 12 + 8 * entries.size(); }
  [[nodiscard]] std::optional<size_t> write(std::span<uint8_t> out) const noexcept;

  friend bool operator==(const rtcp_fir&, const rtcp_fir&) = default;
};

}  // namespace parley::media
