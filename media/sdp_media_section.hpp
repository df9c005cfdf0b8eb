// One m= section of a unified-plan SDP (RFC 8866, RFC 8829): transport, codecs,
// header extensions, SSRCs and simulcast, as parsed from an offer or written in an answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/parse_result.hpp"

namespace parley::media {

enum class sdp_direction { sendrecv, sendonly, recvonly, inactive };
enum class sdp_setup { actpass, active, passive, holdconn };

[[nodiscard]] std::string_view to_string(sdp_direction d) noexcept;
[[nodiscard]] std::string_view to_string(sdp_setup s) noexcept;

struct sdp_fingerprint {
  std::string algorithm;  // "sha-256"
  std::string value;      // colon-separated hex, as written in SDP
  friend bool operator==(const sdp_fingerprint&, const sdp_fingerprint&) = default;
};

struct sdp_codec {
  uint8_t payload_type = 0;
  std::string name;  // encoding name as offered: "opus", "VP8", "rtx"
  uint32_t clock_rate = 0;
  uint16_t channels = 0;  // 0 when the rtpmap gives none
  std::string fmtp;       // parameters verbatim: "minptime=10;useinbandfec=1"
  std::vector<std::string> feedback;  // rtcp-fb values: "nack", "nack pli", "transport-cc"
  friend bool operator==(const sdp_codec&, const sdp_codec&) = default;

  // Value of one fmtp parameter ("apt" of an RTX codec), if present.
  [[nodiscard]] std::optional<std::string_view> parameter(std::string_view key) const noexcept;
};

struct sdp_extmap {
  uint16_t id = 0;
  std::string uri;
  friend bool operator==(const sdp_extmap&, const sdp_extmap&) = default;
};

struct sdp_ssrc_attribute {
  uint32_t ssrc = 0;
  std::string name;   // "cname", "msid"
  std::string value;
  friend bool operator==(const sdp_ssrc_attribute&, const sdp_ssrc_attribute&) = default;
};

struct sdp_ssrc_group {
  std::string semantics;  // "FID" (RTX), "SIM"
  std::vector<uint32_t> ssrcs;
  friend bool operator==(const sdp_ssrc_group&, const sdp_ssrc_group&) = default;
};

struct sdp_rid {
  std::string id;
  std::string direction;  // "send" or "recv"
  std::string restrictions;
  friend bool operator==(const sdp_rid&, const sdp_rid&) = default;
};

// RFC 8853: each direction is a list of streams, each a list of alternative rids; a
// leading '~' (paused) is kept as part of the rid text.
struct sdp_simulcast {
  std::vector<std::vector<std::string>> send;
  std::vector<std::vector<std::string>> recv;
  friend bool operator==(const sdp_simulcast&, const sdp_simulcast&) = default;
};

struct sdp_candidate {
  std::string foundation;
  uint16_t component = 1;
  std::string transport;  // "udp", "tcp"
  uint32_t priority = 0;
  std::string address;
  uint16_t port = 0;
  std::string type;  // "host", "srflx", "prflx", "relay"
  std::string related_address;
  uint16_t related_port = 0;
  std::string tcp_type;
  friend bool operator==(const sdp_candidate&, const sdp_candidate&) = default;

  [[nodiscard]] static parse_result<sdp_candidate> parse(std::string_view value);
  [[nodiscard]] std::string to_string() const;
};

struct sdp_media_section {
  std::string kind;  // "audio", "video", "application"
  uint16_t port = 9;
  std::string protocol = "UDP/TLS/RTP/SAVPF";
  std::vector<std::string> formats;  // payload types (or "webrtc-datachannel") in preference order
  std::string connection_address;    // from c=, "0.0.0.0" if absent

  std::string mid;
  std::optional<sdp_direction> direction;
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<std::string> ice_options;
  std::optional<sdp_fingerprint> fingerprint;
  std::optional<sdp_setup> setup;
  bool rtcp_mux = false;
  bool rtcp_rsize = false;
  std::vector<sdp_codec> codecs;
  std::vector<sdp_extmap> extmaps;
  std::vector<sdp_ssrc_attribute> ssrcs;
  std::vector<sdp_ssrc_group> ssrc_groups;
  std::vector<sdp_rid> rids;
  std::optional<sdp_simulcast> simulcast;
  std::string msid;
  std::vector<sdp_candidate> candidates;
  bool end_of_candidates = false;
  std::optional<uint16_t> sctp_port;
  std::optional<uint32_t> max_message_size;

  friend bool operator==(const sdp_media_section&, const sdp_media_section&) = default;

  [[nodiscard]] const sdp_codec* codec(uint8_t payload_type) const noexcept;
  // First codec with this encoding name, compared case-insensitively.
  [[nodiscard]] const sdp_codec* find_codec(std::string_view name) const noexcept;
  [[nodiscard]] std::optional<uint16_t> extmap_id(std::string_view uri) const noexcept;
  [[nodiscard]] std::optional<std::string_view> ssrc_attribute(uint32_t ssrc, std::string_view name) const noexcept;
  [[nodiscard]] const sdp_ssrc_group* ssrc_group(std::string_view semantics) const noexcept;

  // Parses the value of an m= line into a fresh section.
  [[nodiscard]] static parse_result<sdp_media_section> parse_media_line(std::string_view value);
  // Applies one a= line (name and value split at the first ':'); unknown names are ignored.
  [[nodiscard]] std::optional<parse_error> apply_attribute(std::string_view name, std::string_view value);
  void write(std::string& out) const;
};

}  // namespace parley::media
