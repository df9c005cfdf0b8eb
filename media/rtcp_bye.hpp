// RTCP BYE (RFC 3550 §6.6): a source leaves; the SFU sends one when a consumer closes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/parse_result.hpp"

namespace parley::media {

struct rtcp_bye {
  std::vector<uint32_t> ssrcs;  // at most 31
  std::string reason;           // at most 255 bytes

  [[nodiscard]] static parse_result<rtcp_bye> parse(std::span<const uint8_t> packet);
  [[nodiscard]] size_t size() const noexcept;
  [[nodiscard]] std::optional<size_t> write(std::span<uint8_t> out) const noexcept;

  friend bool operator==(const rtcp_bye&, const rtcp_bye&) = default;
};

}  // namespace parley::media
