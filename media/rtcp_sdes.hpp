// RTCP source description (RFC 3550 §6.5): parsed to learn CNAMEs, otherwise skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "media/parse_result.hpp"

namespace parley::media {

namespace sdes_item_type {
constexpr uint8_t cname = 1;
}

struct rtcp_sdes_item {
  uint8_t type = 0;
  std::string_view text;  // points into the parsed packet
};

struct rtcp_sdes_chunk {
  uint32_t ssrc = 0;
  std::vector<rtcp_sdes_item> items;
};

struct rtcp_sdes {
  std::vector<rtcp_sdes_chunk> chunks;

  [[nodiscard]] static parse_result<rtcp_sdes> parse(std::span<const uint8_t> packet);
  [[nodiscard]] std::optional<std::string_view> cname(uint32_t ssrc) const noexcept;
};

}  // namespace parley::media
