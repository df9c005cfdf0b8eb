// Builds the server's answer to a browser offer: ICE-lite, our candidates and DTLS
// fingerprint, setup:passive, and the codecs and header extensions chosen per m-line.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/parse_result.hpp"
#include "media/sdp_session.hpp"

namespace parley::media {

struct sdp_local_transport {
  std::string ice_ufrag;
  std::string ice_pwd;
  sdp_fingerprint fingerprint;
  std::vector<sdp_candidate> candidates;
};

// What the router accepted for one offered m-line. Leaving payload_types empty rejects
// the section (port 0), as RFC 8829 §5.3.1 says to.
struct sdp_media_choice {
  std::vector<uint8_t> payload_types;  // offered types to keep; RTX for a kept codec comes along
  std::vector<std::string> extension_uris;
  sdp_direction direction = sdp_direction::recvonly;
  // Appended to a chosen codec's fmtp, e.g. "x-google-start-bitrate=1000".
  std::string extra_fmtp;
};

// choices[i] answers offer.media[i]; a size mismatch is bad_value.
[[nodiscard]] parse_result<sdp_session> make_sdp_answer(const sdp_session& offer, const sdp_local_transport& local,
                                                        std::span<const sdp_media_choice> choices);

}  // namespace parley::media
