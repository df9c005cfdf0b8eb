// Picture loss indication (RFC 4585 §6.3.1): the SFU asks a sender for a keyframe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "media/parse_result.hpp"

namespace parley::media {

struct rtcp_pli {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;

  [[nodiscard]] static parse_result<rtcp_pli> parse(std::span<const uint8_t> packet) noexcept;
  [[nodiscard]] static constexpr size_t size() noexcept { return 12; }
  [[nodiscard]] std::optional<size_t> write(std::span<uint8_t> out) const noexcept;

  friend bool operator==(const rtcp_pli&, const rtcp_pli&) = default;
};

}  // namespace parley::media
