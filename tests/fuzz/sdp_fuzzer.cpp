// libFuzzer target: SDP parsing, writing, re-parsing and answer generation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "media/sdp_answer.hpp"
#include "media/sdp_session.hpp"

using namespace parley::media;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto offer = sdp_session::parse(text);
  if (!offer) return 0;
  for (const auto& m : offer->media) {
    (void)offer->effective_ice_ufrag(m);
    (void)offer->effective_fingerprint(m);
    (void)m.find_codec("VP8");
    (void)m.extmap_id("urn:ietf:params:rtp-hdrext:sdes:mid");
    for (const auto& c : m.codecs) (void)c.parameter("apt");
  }
  // Our own output must always be readable by our own parser.
  if (!sdp_session::parse(offer->to_string())) std::abort();

  std::vector<sdp_media_choice> choices(offer->media.size());
  for (size_t i = 0; i < offer->media.size(); ++i)
    if (const auto& codecs = offer->media[i].codecs; !codecs.empty()) choices[i].payload_types = {codecs.front().payload_type};
  sdp_local_transport local;
  local.ice_ufrag = "u";
  local.ice_pwd = "p";
  local.fingerprint = {"sha-256", "00:11"};
  if (const auto answer = make_sdp_answer(*offer, local, choices)) {
    if (!sdp_session::parse(answer->to_string())) std::abort();
  }
  return 0;
}
