// In-place header-extension id rewriting for the one-byte and two-byte forms (RFC 8285).
#include "media/rtp_extension_remap.hpp"

#include <algorithm>

#include "media/rtp_packet.hpp"

namespace parley::media {

void remap_header_extensions(std::span<uint8_t> block, uint16_t profile, const rtp_extension_id_map& map) noexcept {
  const bool one_byte = profile == rtp_one_byte_extension_profile;
  const bool two_byte = (profile & 0xFFF0) == rtp_two_byte_extension_profile;
  if (!one_byte && !two_byte) return;
  size_t i = 0;
  while (i < block.size()) {
    if (block[i] == 0) {  // padding
      ++i;
      continue;
    }
    size_t header = one_byte ? 1 : 2;
    if (two_byte && i + 1 >= block.size()) return;
    const uint8_t id = one_byte ? static_cast<uint8_t>(block[i] >> 4) : block[i];
    if (one_byte && id == 15) return;  // reserved: stop, as RFC 8285 says
    const size_t length = one_byte ? size_t{1} + (block[i] & 0x0F) : block[i + 1];
    const size_t end = std::min(block.size(), i + header + length);
    const uint8_t to = map[id];
    if (to == 0 || (one_byte && to > 14)) {
      std::fill(block.begin() + static_cast<std::ptrdiff_t>(i), block.begin() + static_cast<std::ptrdiff_t>(end), uint8_t{0});
    } else if (one_byte) {
      block[i] = static_cast<uint8_t>((to << 4) | (block[i] & 0x0F));
    } else {
      block[i] = to;
    }
    i = end;
  }
}

}  // namespace parley::media
