// Rewrites the header-extension ids of a forwarded RTP packet in place to the receiver's
// negotiated ids; elements the receiver must not see (mid, rid) become padding bytes.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace parley::media {

// map[publisher id] = subscriber id; 0 removes the element (RFC 8285 padding, id 0).
using rtp_extension_id_map = std::array<uint8_t, 256>;

// `block` is the extension block after its 4-byte header (rtp_packet::extension_block()).
void remap_header_extensions(std::span<uint8_t> block, uint16_t profile, const rtp_extension_id_map& map) noexcept;

}  // namespace parley::media
