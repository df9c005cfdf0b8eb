// Unified-plan SDP: line splitting, session-level attributes, writing.
#include "media/sdp_session.hpp"

#include "media/sdp_text.hpp"

namespace parley::media {

using sdp_text::next_token;
using sdp_text::split;
using sdp_text::trim;

namespace {

// Session-level attributes; false when the name is not one of them.
std::optional<parse_error> apply_session_attribute(sdp_session& s, std::string_view name, std::string_view value,
                                                   bool& handled) {
  handled = true;
  value = trim(value);
  if (name == "group") {
    std::string_view rest = value;
    sdp_group g;
    g.semantics = next_token(rest);
    if (g.semantics.empty()) return parse_error::bad_syntax;
    while (!rest.empty()) g.mids.emplace_back(next_token(rest));
    s.groups.push_back(std::move(g));
  } else if (name == "ice-lite") {
    s.ice_lite = true;
  } else if (name == "extmap-allow-mixed") {
    s.extmap_allow_mixed = true;
  } else if (name == "msid-semantic") {
    s.msid_semantic = value;
  } else if (name == "ice-ufrag") {
    s.ice_ufrag = value;
  } else if (name == "ice-pwd") {
    s.ice_pwd = value;
  } else if (name == "ice-options") {
    for (auto o : split(value, ' ')) s.ice_options.emplace_back(o);
  } else if (name == "fingerprint" || name == "setup") {
    // Same syntax as in a media section: borrow its parser.
    sdp_media_section scratch;
    if (auto e = scratch.apply_attribute(name, value)) return e;
    if (scratch.fingerprint) s.fingerprint = scratch.fingerprint;
    if (scratch.setup) s.setup = scratch.setup;
  } else {
    handled = false;
  }
  return std::nullopt;
}

}  // namespace

parse_result<sdp_session> sdp_session::parse(std::string_view text) {
  if (text.size() > sdp_max_size) return parse_error::too_large;
  sdp_session s;
  bool first = true;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const auto raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    auto line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') return parse_error::bad_syntax;
    const char type = line[0];
    const auto value = line.substr(2);
    if (first) {
      if (type != 'v' || trim(value) != "0") return parse_error::bad_syntax;
      first = false;
      continue;
    }
    switch (type) {
      case 'o': {
        std::string_view rest = value;
        s.origin.username = next_token(rest);
        s.origin.session_id = next_token(rest);
        s.origin.session_version = next_token(rest);
        (void)next_token(rest);  // nettype IN
        (void)next_token(rest);  // addrtype
        s.origin.address = next_token(rest);
        if (s.origin.address.empty()) return parse_error::bad_syntax;
        break;
      }
      case 's': s.session_name = value; break;
      case 'm': {
        auto m = sdp_media_section::parse_media_line(value);
        if (!m) return m.error();
        s.media.push_back(std::move(*m));
        break;
      }
      case 'c': {
        if (s.media.empty()) break;  // session-level c= carries nothing WebRTC uses
        std::string_view rest = value;
        (void)next_token(rest);
        (void)next_token(rest);
        const auto address = next_token(rest);
        if (address.empty()) return parse_error::bad_syntax;
        s.media.back().connection_address = address.substr(0, address.find('/'));
        break;
      }
      case 'a': {
        const auto colon = value.find(':');
        const auto name = value.substr(0, colon);
        const auto attr_value = colon == std::string_view::npos ? std::string_view{} : value.substr(colon + 1);
        if (s.media.empty()) {
          bool handled = false;
          if (auto e = apply_session_attribute(s, name, attr_value, handled)) return *e;
        } else if (auto e = s.media.back().apply_attribute(name, attr_value)) {
          return *e;
        }
        break;
      }
      default: break;  // t=, b=, i=, u=, e=, p=, k=, r=, z=: nothing for us
    }
  }
  if (first) return parse_error::truncated;
  return s;
}

std::string sdp_session::to_string() const {
  std::string out;
  out.reserve(2048);
  const auto line = [&out](std::string_view text) {
    out += text;
    out += "\r\n";
  };
  line("v=0");
  line("o=" + origin.username + ' ' + origin.session_id + ' ' + origin.session_version + " IN " +
       (origin.address.find(':') != std::string::npos ? "IP6 " : "IP4 ") + origin.address);
  line("s=" + session_name);
  line("t=0 0");
  if (ice_lite) line("a=ice-lite");
  for (const auto& g : groups) {
    std::string text = "a=group:" + g.semantics;
    for (const auto& mid : g.mids) text += ' ' + mid;
    line(text);
  }
  if (extmap_allow_mixed) line("a=extmap-allow-mixed");
  if (!msid_semantic.empty()) line("a=msid-semantic:" + msid_semantic);
  if (!ice_ufrag.empty()) line("a=ice-ufrag:" + ice_ufrag);
  if (!ice_pwd.empty()) line("a=ice-pwd:" + ice_pwd);
  if (!ice_options.empty()) {
    std::string o = "a=ice-options:";
    for (size_t i = 0; i < ice_options.size(); ++i) o += (i > 0 ? " " : "") + ice_options[i];
    line(o);
  }
  if (fingerprint) line("a=fingerprint:" + fingerprint->algorithm + ' ' + fingerprint->value);
  if (setup) line("a=setup:" + std::string(media::to_string(*setup)));
  for (const auto& m : media) m.write(out);
  return out;
}

const sdp_group* sdp_session::group(std::string_view semantics) const noexcept {
  for (const auto& g : groups)
    if (g.semantics == semantics) return &g;
  return nullptr;
}

const sdp_media_section* sdp_session::find_mid(std::string_view mid) const noexcept {
  for (const auto& m : media)
    if (m.mid == mid) return &m;
  return nullptr;
}

std::string_view sdp_session::effective_ice_ufrag(const sdp_media_section& m) const noexcept {
  return m.ice_ufrag.empty() ? std::string_view(ice_ufrag) : std::string_view(m.ice_ufrag);
}

std::string_view sdp_session::effective_ice_pwd(const sdp_media_section& m) const noexcept {
  return m.ice_pwd.empty() ? std::string_view(ice_pwd) : std::string_view(m.ice_pwd);
}

const sdp_fingerprint* sdp_session::effective_fingerprint(const sdp_media_section& m) const noexcept {
  if (m.fingerprint) return &*m.fingerprint;
  return fingerprint ? &*fingerprint : nullptr;
}

}  // namespace parley::media
