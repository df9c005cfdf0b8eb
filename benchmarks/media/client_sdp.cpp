// Writes the client's SDP as text (Chromium's attribute order) and reads the server's with
// the project's SDP parser.
#include "benchmarks/media/client_sdp.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

namespace parley::bench {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void transport_lines(std::ostringstream& out, const webrtc_client_peer& peer, std::string_view setup) {
  out << "c=IN IP4 " << peer.local_address() << "\r\n"
      << "a=rtcp:9 IN IP4 0.0.0.0\r\n"
      << "a=ice-ufrag:" << peer.ice_ufrag() << "\r\n"
      << "a=ice-pwd:" << peer.ice_pwd() << "\r\n"
      << "a=fingerprint:" << peer.fingerprint() << "\r\n"
      << "a=setup:" << setup << "\r\n";
}

void candidate_lines(std::ostringstream& out, const webrtc_client_peer& peer) {
  out << "a=candidate:1 1 udp 2130706431 " << peer.local_address() << ' ' << peer.local_port() << " typ host\r\n"
      << "a=end-of-candidates\r\n";
}

void session_header(std::ostringstream& out, const webrtc_client_peer& peer) {
  out << "v=0\r\n"
      << "o=- " << peer.local_port() << "000 2 IN IP4 " << peer.local_address() << "\r\n"
      << "s=-\r\n"
      << "t=0 0\r\n";
}

} // namespace

std::string publish_offer(const webrtc_client_peer& peer, const publish_offer_settings& s) {
  std::ostringstream out;
  const auto pt = static_cast<unsigned>(s.payload_type);
  session_header(out, peer);
  out << "a=group:BUNDLE 0\r\n"
      << "a=msid-semantic: WMS " << s.stream_name << "\r\n"
      << "m=video 9 UDP/TLS/RTP/SAVPF " << pt << "\r\n";
  transport_lines(out, peer, s.setup);
  out << "a=mid:0\r\n"
      << "a=extmap:" << static_cast<unsigned>(s.mid_extension_id) << ' ' << mid_extension_uri << "\r\n"
      << "a=sendonly\r\n"
      << "a=msid:" << s.stream_name << ' ' << s.stream_name << "-video\r\n"
      << "a=rtcp-mux\r\n"
      << "a=rtcp-rsize\r\n"
      << "a=rtpmap:" << pt << " VP8/90000\r\n"
      << "a=rtcp-fb:" << pt << " ccm fir\r\n"
      << "a=rtcp-fb:" << pt << " nack\r\n"
      << "a=rtcp-fb:" << pt << " nack pli\r\n"
      << "a=ssrc:" << s.ssrc << " cname:" << s.stream_name << "\r\n"
      << "a=ssrc:" << s.ssrc << " msid:" << s.stream_name << ' ' << s.stream_name << "-video\r\n";
  candidate_lines(out, peer);
  return out.str();
}

std::string subscribe_answer(const webrtc_client_peer& peer, const media::sdp_session& offer, std::string& error) {
  std::ostringstream body;
  std::vector<std::string> accepted;
  for (const auto& m : offer.media) {
    const media::sdp_codec* vp8 = m.kind == "video" && m.port != 0 ? m.find_codec("VP8") : nullptr;
    if (vp8 == nullptr) {
      // Rejected: port 0 and the offered formats (RFC 8866 §5.14 asks for at least one).
      body << "m=" << m.kind << " 0 " << m.protocol;
      for (const auto& f : m.formats)
        body << ' ' << f;
      body << "\r\n" << "c=IN IP4 0.0.0.0\r\n" << "a=mid:" << m.mid << "\r\n" << "a=inactive\r\n";
      continue;
    }
    const auto pt = static_cast<unsigned>(vp8->payload_type);
    accepted.push_back(m.mid);
    body << "m=video 9 UDP/TLS/RTP/SAVPF " << pt << "\r\n";
    transport_lines(body, peer, "active");
    body << "a=mid:" << m.mid << "\r\n";
    if (const auto id = m.extmap_id(mid_extension_uri))
      body << "a=extmap:" << *id << ' ' << mid_extension_uri << "\r\n";
    body << "a=recvonly\r\n"
         << "a=rtcp-mux\r\n"
         << "a=rtpmap:" << pt << " VP8/90000\r\n";
    for (const auto& fb : vp8->feedback)
      if (fb == "nack" || fb == "nack pli" || fb == "ccm fir")
        body << "a=rtcp-fb:" << pt << ' ' << fb << "\r\n";
    candidate_lines(body, peer);
  }
  if (accepted.empty()) {
    error = "the server's offer has no VP8 video section";
    return {};
  }
  std::ostringstream out;
  session_header(out, peer);
  out << "a=group:BUNDLE";
  for (const auto& mid : accepted)
    out << ' ' << mid;
  out << "\r\n" << "a=msid-semantic: WMS\r\n" << body.str();
  return out.str();
}

bool remote_transport_of(const media::sdp_session& d, remote_transport& out, std::string& error) {
  const media::sdp_media_section* section = nullptr;
  for (const auto& m : d.media)
    if (m.port != 0) {
      section = &m;
      break;
    }
  if (section == nullptr) {
    error = "the server's description has no accepted media section";
    return false;
  }
  out.ice_ufrag = std::string(d.effective_ice_ufrag(*section));
  out.ice_pwd = std::string(d.effective_ice_pwd(*section));
  if (out.ice_ufrag.empty() || out.ice_pwd.empty()) {
    error = "the server's description has no ICE credentials";
    return false;
  }
  const media::sdp_fingerprint* fp = d.effective_fingerprint(*section);
  const auto digest = fp != nullptr ? media::parse_fingerprint(fp->algorithm + " " + fp->value) : std::nullopt;
  if (!digest) {
    error = "the server's description has no sha-256 fingerprint";
    return false;
  }
  out.fingerprint = *digest;
  const auto setup = section->setup ? section->setup : d.setup;
  if (setup == media::sdp_setup::active) {
    error = "the server wants to be the DTLS client (setup:active); the load client is a DTLS client only";
    return false;
  }
  for (const auto& c : section->candidates) {
    if (!iequals(c.transport, "udp") || c.component != 1)
      continue;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    if (inet_pton(AF_INET, c.address.c_str(), &a.sin_addr) != 1)
      continue;
    a.sin_port = htons(c.port);
    out.address = a;
    return true;
  }
  error = "the server's description has no IPv4 UDP candidate";
  return false;
}

std::optional<uint8_t> vp8_payload_type(const media::sdp_session& d) {
  for (const auto& m : d.media)
    if (m.kind == "video" && m.port != 0)
      if (const auto* c = m.find_codec("VP8"))
        return c->payload_type;
  return std::nullopt;
}

} // namespace parley::bench
