// Parsing and writing of one SDP media section.
#include "media/sdp_media_section.hpp"

#include "media/sdp_text.hpp"

namespace parley::media {

using sdp_text::iequals;
using sdp_text::next_token;
using sdp_text::number;
using sdp_text::split;
using sdp_text::trim;

std::string_view to_string(sdp_direction d) noexcept {
  switch (d) {
    case sdp_direction::sendrecv: return "sendrecv";
    case sdp_direction::sendonly: return "sendonly";
    case sdp_direction::recvonly: return "recvonly";
    case sdp_direction::inactive: return "inactive";
  }
  return "sendrecv";
}

std::string_view to_string(sdp_setup s) noexcept {
  switch (s) {
    case sdp_setup::actpass: return "actpass";
    case sdp_setup::active: return "active";
    case sdp_setup::passive: return "passive";
    case sdp_setup::holdconn: return "holdconn";
  }
  return "actpass";
}

std::optional<std::string_view> sdp_codec::parameter(std::string_view key) const noexcept {
  std::string_view rest = fmtp;
  while (!rest.empty()) {
    const auto at = rest.find(';');
    const auto item = trim(rest.substr(0, at));
    const auto eq = item.find('=');
    if (eq != std::string_view::npos && trim(item.substr(0, eq)) == key) return trim(item.substr(eq + 1));
    if (at == std::string_view::npos) break;
    rest.remove_prefix(at + 1);
  }
  return std::nullopt;
}

parse_result<sdp_candidate> sdp_candidate::parse(std::string_view value) {
  sdp_candidate c;
  std::string_view rest = value;
  c.foundation = next_token(rest);
  const auto component = number<uint16_t>(next_token(rest));
  c.transport = next_token(rest);
  const auto priority = number<uint32_t>(next_token(rest));
  c.address = next_token(rest);
  const auto port = number<uint16_t>(next_token(rest));
  if (c.foundation.empty() || !component || c.transport.empty() || !priority || c.address.empty() || !port)
    return parse_error::bad_syntax;
  if (next_token(rest) != "typ") return parse_error::bad_syntax;
  c.type = next_token(rest);
  if (c.type.empty()) return parse_error::bad_syntax;
  c.component = *component;
  c.priority = *priority;
  c.port = *port;
  // Extension pairs (generation, network-id, ufrag ...) are not ours to keep.
  while (!rest.empty()) {
    const auto key = next_token(rest);
    const auto val = next_token(rest);
    if (key == "raddr") c.related_address = val;
    if (key == "rport") c.related_port = number<uint16_t>(val).value_or(0);
    if (key == "tcptype") c.tcp_type = val;
  }
  return c;
}

std::string sdp_candidate::to_string() const {
  std::string s = foundation + ' ' + std::to_string(component) + ' ' + transport + ' ' + std::to_string(priority) +
                  ' ' + address + ' ' + std::to_string(port) + " typ " + type;
  if (!related_address.empty()) s += " raddr " + related_address + " rport " + std::to_string(related_port);
  if (!tcp_type.empty()) s += " tcptype " + tcp_type;
  return s;
}

const sdp_codec* sdp_media_section::codec(uint8_t payload_type) const noexcept {
  for (const auto& c : codecs)
    if (c.payload_type == payload_type) return &c;
  return nullptr;
}

const sdp_codec* sdp_media_section::find_codec(std::string_view name) const noexcept {
  for (const auto& c : codecs)
    if (iequals(c.name, name)) return &c;
  return nullptr;
}

std::optional<uint16_t> sdp_media_section::extmap_id(std::string_view uri) const noexcept {
  for (const auto& e : extmaps)
    if (e.uri == uri) return e.id;
  return std::nullopt;
}

std::optional<std::string_view> sdp_media_section::ssrc_attribute(uint32_t ssrc, std::string_view name) const noexcept {
  for (const auto& a : ssrcs)
    if (a.ssrc == ssrc && a.name == name) return a.value;
  return std::nullopt;
}

const sdp_ssrc_group* sdp_media_section::ssrc_group(std::string_view semantics) const noexcept {
  for (const auto& g : ssrc_groups)
    if (g.semantics == semantics) return &g;
  return nullptr;
}

parse_result<sdp_media_section> sdp_media_section::parse_media_line(std::string_view value) {
  sdp_media_section m;
  std::string_view rest = value;
  m.kind = next_token(rest);
  const auto port_token = next_token(rest);
  // "port/count" is legal but meaningless for WebRTC; keep the port.
  const auto port = number<uint16_t>(port_token.substr(0, port_token.find('/')));
  m.protocol = next_token(rest);
  if (m.kind.empty() || !port || m.protocol.empty()) return parse_error::bad_syntax;
  m.port = *port;
  while (!rest.empty()) m.formats.emplace_back(next_token(rest));
  m.connection_address = "0.0.0.0";
  return m;
}

namespace {

sdp_codec& codec_for(std::vector<sdp_codec>& codecs, uint8_t pt) {
  for (auto& c : codecs)
    if (c.payload_type == pt) return c;
  codecs.push_back({});
  codecs.back().payload_type = pt;
  return codecs.back();
}

std::optional<uint8_t> payload_type(std::string_view s) { return number<uint8_t>(s, 127); }

std::vector<std::vector<std::string>> simulcast_streams(std::string_view list) {
  std::vector<std::vector<std::string>> streams;
  for (auto stream : split(list, ';')) {
    std::vector<std::string> alternatives;
    for (auto rid : split(stream, ',')) alternatives.emplace_back(rid);
    streams.push_back(std::move(alternatives));
  }
  return streams;
}

std::string simulcast_text(const std::vector<std::vector<std::string>>& streams) {
  std::string s;
  for (size_t i = 0; i < streams.size(); ++i) {
    if (i > 0) s += ';';
    for (size_t k = 0; k < streams[i].size(); ++k) {
      if (k > 0) s += ',';
      s += streams[i][k];
    }
  }
  return s;
}

}  // namespace

std::optional<parse_error> sdp_media_section::apply_attribute(std::string_view name, std::string_view value) {
  value = trim(value);
  if (name == "mid") {
    mid = value;
  } else if (name == "sendrecv") {
    direction = sdp_direction::sendrecv;
  } else if (name == "sendonly") {
    direction = sdp_direction::sendonly;
  } else if (name == "recvonly") {
    direction = sdp_direction::recvonly;
  } else if (name == "inactive") {
    direction = sdp_direction::inactive;
  } else if (name == "ice-ufrag") {
    ice_ufrag = value;
  } else if (name == "ice-pwd") {
    ice_pwd = value;
  } else if (name == "ice-options") {
    for (auto o : split(value, ' ')) ice_options.emplace_back(o);
  } else if (name == "fingerprint") {
    std::string_view rest = value;
    const auto algorithm = next_token(rest);
    if (algorithm.empty() || rest.empty()) return parse_error::bad_syntax;
    fingerprint = sdp_fingerprint{std::string(algorithm), std::string(rest)};
  } else if (name == "setup") {
    if (value == "actpass") setup = sdp_setup::actpass;
    else if (value == "active") setup = sdp_setup::active;
    else if (value == "passive") setup = sdp_setup::passive;
    else if (value == "holdconn") setup = sdp_setup::holdconn;
    else return parse_error::bad_value;
  } else if (name == "rtcp-mux") {
    rtcp_mux = true;
  } else if (name == "rtcp-rsize") {
    rtcp_rsize = true;
  } else if (name == "rtpmap") {
    std::string_view rest = value;
    const auto pt = payload_type(next_token(rest));
    const auto parts = split(rest, '/');
    if (!pt || parts.size() < 2 || parts.size() > 3) return parse_error::bad_syntax;
    const auto rate = number<uint32_t>(parts[1]);
    const auto channels = parts.size() == 3 ? number<uint16_t>(parts[2]) : std::optional<uint16_t>(0);
    if (!rate || !channels) return parse_error::bad_value;
    auto& c = codec_for(codecs, *pt);
    c.name = parts[0];
    c.clock_rate = *rate;
    c.channels = *channels;
  } else if (name == "fmtp") {
    std::string_view rest = value;
    const auto pt = payload_type(next_token(rest));
    if (!pt) return parse_error::bad_syntax;
    codec_for(codecs, *pt).fmtp = rest;
  } else if (name == "rtcp-fb") {
    std::string_view rest = value;
    const auto pt_token = next_token(rest);
    if (pt_token == "*") return std::nullopt;  // wildcard feedback: not offered by browsers, ignored
    const auto pt = payload_type(pt_token);
    if (!pt || rest.empty()) return parse_error::bad_syntax;
    codec_for(codecs, *pt).feedback.emplace_back(rest);
  } else if (name == "extmap") {
    std::string_view rest = value;
    const auto id_token = next_token(rest);
    const auto id = number<uint16_t>(id_token.substr(0, id_token.find('/')), 255);  // "/direction" dropped
    const auto uri = next_token(rest);
    if (!id || *id == 0 || uri.empty()) return parse_error::bad_value;
    extmaps.push_back({*id, std::string(uri)});
  } else if (name == "ssrc") {
    std::string_view rest = value;
    const auto ssrc = number<uint32_t>(next_token(rest));
    if (!ssrc || rest.empty()) return parse_error::bad_syntax;
    const auto colon = rest.find(':');
    ssrcs.push_back({*ssrc, std::string(rest.substr(0, colon)),
                     colon == std::string_view::npos ? std::string{} : std::string(rest.substr(colon + 1))});
  } else if (name == "ssrc-group") {
    std::string_view rest = value;
    sdp_ssrc_group g;
    g.semantics = next_token(rest);
    while (!rest.empty()) {
      const auto ssrc = number<uint32_t>(next_token(rest));
      if (!ssrc) return parse_error::bad_value;
      g.ssrcs.push_back(*ssrc);
    }
    if (g.semantics.empty()) return parse_error::bad_syntax;
    ssrc_groups.push_back(std::move(g));
  } else if (name == "rid") {
    std::string_view rest = value;
    sdp_rid r;
    r.id = next_token(rest);
    r.direction = next_token(rest);
    r.restrictions = rest;
    if (r.id.empty() || (r.direction != "send" && r.direction != "recv")) return parse_error::bad_syntax;
    rids.push_back(std::move(r));
  } else if (name == "simulcast") {
    std::string_view rest = value;
    sdp_simulcast s;
    while (!rest.empty()) {
      const auto dir = next_token(rest);
      const auto list = next_token(rest);
      if (dir == "send") s.send = simulcast_streams(list);
      else if (dir == "recv") s.recv = simulcast_streams(list);
      else return parse_error::bad_syntax;
    }
    simulcast = std::move(s);
  } else if (name == "msid") {
    msid = value;
  } else if (name == "candidate") {
    auto c = sdp_candidate::parse(value);
    if (!c) return c.error();
    candidates.push_back(std::move(*c));
  } else if (name == "end-of-candidates") {
    end_of_candidates = true;
  } else if (name == "sctp-port") {
    sctp_port = number<uint16_t>(value);
    if (!sctp_port) return parse_error::bad_value;
  } else if (name == "max-message-size") {
    max_message_size = number<uint32_t>(value);
    if (!max_message_size) return parse_error::bad_value;
  }
  return std::nullopt;
}

void sdp_media_section::write(std::string& out) const {
  const auto line = [&out](std::string_view text) {
    out += text;
    out += "\r\n";
  };
  std::string m = "m=" + kind + ' ' + std::to_string(port) + ' ' + protocol;
  for (const auto& f : formats) m += ' ' + f;
  line(m);
  const bool v6 = connection_address.find(':') != std::string::npos;
  line(std::string("c=IN ") + (v6 ? "IP6 " : "IP4 ") + (connection_address.empty() ? "0.0.0.0" : connection_address));
  for (const auto& c : candidates) line("a=candidate:" + c.to_string());
  if (end_of_candidates) line("a=end-of-candidates");
  if (!ice_ufrag.empty()) line("a=ice-ufrag:" + ice_ufrag);
  if (!ice_pwd.empty()) line("a=ice-pwd:" + ice_pwd);
  if (!ice_options.empty()) {
    std::string o = "a=ice-options:";
    for (size_t i = 0; i < ice_options.size(); ++i) o += (i > 0 ? " " : "") + ice_options[i];
    line(o);
  }
  if (fingerprint) line("a=fingerprint:" + fingerprint->algorithm + ' ' + fingerprint->value);
  if (setup) line("a=setup:" + std::string(to_string(*setup)));
  if (!mid.empty()) line("a=mid:" + mid);
  for (const auto& e : extmaps) line("a=extmap:" + std::to_string(e.id) + ' ' + e.uri);
  if (direction) line("a=" + std::string(to_string(*direction)));
  if (!msid.empty()) line("a=msid:" + msid);
  if (rtcp_mux) line("a=rtcp-mux");
  if (rtcp_rsize) line("a=rtcp-rsize");
  for (const auto& c : codecs) {
    if (!c.name.empty()) {
      std::string r = "a=rtpmap:" + std::to_string(c.payload_type) + ' ' + c.name + '/' + std::to_string(c.clock_rate);
      if (c.channels != 0) r += '/' + std::to_string(c.channels);
      line(r);
    }
    for (const auto& fb : c.feedback) line("a=rtcp-fb:" + std::to_string(c.payload_type) + ' ' + fb);
    if (!c.fmtp.empty()) line("a=fmtp:" + std::to_string(c.payload_type) + ' ' + c.fmtp);
  }
  for (const auto& g : ssrc_groups) {
    std::string s = "a=ssrc-group:" + g.semantics;
    for (auto ssrc : g.ssrcs) s += ' ' + std::to_string(ssrc);
    line(s);
  }
  for (const auto& a : ssrcs) line("a=ssrc:" + std::to_string(a.ssrc) + ' ' + a.name + (a.value.empty() ? "" : ":" + a.value));
  for (const auto& r : rids) line("a=rid:" + r.id + ' ' + r.direction + (r.restrictions.empty() ? "" : " " + r.restrictions));
  if (simulcast) {
    std::string s = "a=simulcast:";
    if (!simulcast->send.empty()) s += "send " + simulcast_text(simulcast->send);
    if (!simulcast->recv.empty()) s += std::string(simulcast->send.empty() ? "" : " ") + "recv " + simulcast_text(simulcast->recv);
    line(s);
  }
  if (sctp_port) line("a=sctp-port:" + std::to_string(*sctp_port));
  if (max_message_size) line("a=max-message-size:" + std::to_string(*max_message_size));
}

}  // namespace parley::media
