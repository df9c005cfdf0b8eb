// The load client's side of SDP offer/answer: a sendonly VP8 offer for a publisher, a
// recvonly answer for a subscriber, and the server's transport from its description.
#pragma once

#include <cstdint>
#include <string>

#include "benchmarks/media/webrtc_client_peer.hpp"
#include "media/sdp_session.hpp"

namespace parley::bench {

inline constexpr char mid_extension_uri[] = "urn:ietf:params:rtp-hdrext:sdes:mid";

struct publish_offer_settings {
  uint32_t ssrc = 0;
  uint8_t payload_type = 96;
  uint8_t mid_extension_id = 4;
  std::string stream_name = "bench";  // msid stream and track ids derive from it
  // "active" makes us the DTLS client whatever the answerer prefers; "actpass" is what
  // browsers send and what the answerer must then answer with "passive".
  std::string setup = "actpass";
  std::string source = "camera";  // parleyd's media.publish source: camera or screen
};

/// A unified-plan offer with one sendonly VP8 section (mid "0"), BUNDLE, rtcp-mux, our ICE
/// credentials, fingerprint and host candidate.
std::string publish_offer(const webrtc_client_peer& peer, const publish_offer_settings& settings);

/// The answer to a server's offer: every video section offering VP8 is accepted recvonly
/// (setup:active, so we stay the DTLS client); every other section is rejected (port 0).
/// Empty with `error` set if the offer has no VP8 video.
std::string subscribe_answer(const webrtc_client_peer& peer, const media::sdp_session& offer, std::string& error);

/// The server's ICE credentials, fingerprint and first IPv4 UDP host candidate from its
/// description (BUNDLE: the first accepted section speaks for all). False with `error` set
/// when something is missing, or when the server wants the DTLS client role.
bool remote_transport_of(const media::sdp_session& description, remote_transport& out, std::string& error);

/// The payload type the description uses for VP8 in its first video section.
std::optional<uint8_t> vp8_payload_type(const media::sdp_session& description);

} // namespace parley::bench
