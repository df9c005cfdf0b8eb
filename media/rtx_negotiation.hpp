// RFC 4588 retransmission streams as an SDP section negotiates them: the RTX payload type
// that repairs a codec, and the RTX SSRCs a sender pairs with its media SSRCs (FID).
#pragma once

#include <cstdint>
#include <vector>

#include "media/sdp_media_section.hpp"

namespace parley::media {

// The payload type of the "rtx" codec whose apt names `media_payload_type`; 0 if none.
[[nodiscard]] uint8_t rtx_payload_type_for(const sdp_media_section& section, uint8_t media_payload_type) noexcept;

// For each of `media_ssrcs`, the RTX SSRC an FID group pairs with it (0 where none).
[[nodiscard]] std::vector<uint32_t> rtx_ssrcs_for(const sdp_media_section& section,
                                                  const std::vector<uint32_t>& media_ssrcs);

}  // namespace parley::media
