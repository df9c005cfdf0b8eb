// A whole unified-plan SDP session description: parse a browser's offer, write our answer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/parse_result.hpp"
#include "media/sdp_media_section.hpp"

namespace parley::media {

// Offers from browsers are a few kilobytes; anything far larger is not one.
constexpr size_t sdp_max_size = 256 * 1024;

struct sdp_origin {
  std::string username = "-";
  std::string session_id = "0";
  std::string session_version = "0";
  std::string address = "127.0.0.1";
  friend bool operator==(const sdp_origin&, const sdp_origin&) = default;
};

struct sdp_group {
  std::string semantics;  // "BUNDLE"
  std::vector<std::string> mids;
  friend bool operator==(const sdp_group&, const sdp_group&) = default;
};

struct sdp_session {
  sdp_origin origin;
  std::string session_name = "-";
  std::vector<sdp_group> groups;
  bool ice_lite = false;
  bool extmap_allow_mixed = false;
  std::string msid_semantic;  // "WMS ..." verbatim, after the colon
  // Session-level values; media sections may override them (see effective_* below).
  std::string ice_ufrag;
  std::string ice_pwd;
  std::vector<std::string> ice_options;
  std::optional<sdp_fingerprint> fingerprint;
  std::optional<sdp_setup> setup;
  std::vector<sdp_media_section> media;

  friend bool operator==(const sdp_session&, const sdp_session&) = default;

  [[nodiscard]] static parse_result<sdp_session> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;

  [[nodiscard]] const sdp_group* group(std::string_view semantics) const noexcept;
  [[nodiscard]] const sdp_media_section* find_mid(std::string_view mid) const noexcept;
  // A media section's value, falling back to the session level as RFC 8839/8842 allow.
  [[nodiscard]] std::string_view effective_ice_ufrag(const sdp_media_section& m) const noexcept;
  [[nodiscard]] std::string_view effective_ice_pwd(const sdp_media_section& m) const noexcept;
  [[nodiscard]] const sdp_fingerprint* effective_fingerprint(const sdp_media_section& m) const noexcept;
};

}  // namespace parley::media
