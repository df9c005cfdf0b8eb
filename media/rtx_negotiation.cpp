// Reading RTX payload types and FID groups from a negotiated section.
#include "media/rtx_negotiation.hpp"

#include "media/sdp_text.hpp"

namespace parley::media {

uint8_t rtx_payload_type_for(const sdp_media_section& section, uint8_t media_payload_type) noexcept {
  for (const auto& c : section.codecs) {
    if (!sdp_text::iequals(c.name, "rtx")) continue;
    const auto apt = c.parameter("apt");
    if (!apt) continue;
    if (const auto target = sdp_text::number<uint8_t>(*apt, 127); target && *target == media_payload_type)
      return c.payload_type;
  }
  return 0;
}

std::vector<uint32_t> rtx_ssrcs_for(const sdp_media_section& section, const std::vector<uint32_t>& media_ssrcs) {
  std::vector<uint32_t> out(media_ssrcs.size(), 0);
  for (size_t i = 0; i < media_ssrcs.size(); ++i)
    for (const auto& g : section.ssrc_groups)
      if (g.semantics == "FID" && g.ssrcs.size() == 2 && g.ssrcs[0] == media_ssrcs[i]) out[i] = g.ssrcs[1];
  return out;
}

}  // namespace parley::media
