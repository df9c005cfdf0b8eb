// Answer generation from an offer and the router's choices.
#include "media/sdp_answer.hpp"

#include <algorithm>

#include "media/sdp_text.hpp"

namespace parley::media {

namespace {

bool contains(const std::vector<uint8_t>& v, uint8_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// RTX codecs whose apt names a kept payload type are kept too: without them NACK
// retransmissions for that codec would be unannounced.
std::vector<uint8_t> with_rtx(const sdp_media_section& offered, const std::vector<uint8_t>& chosen) {
  std::vector<uint8_t> kept = chosen;
  for (const auto& c : offered.codecs) {
    if (!sdp_text::iequals(c.name, "rtx")) continue;
    const auto apt = c.parameter("apt");
    if (!apt) continue;
    const auto target = sdp_text::number<uint8_t>(*apt, 127);
    if (target && contains(chosen, *target) && !contains(kept, c.payload_type)) kept.push_back(c.payload_type);
  }
  return kept;
}

}  // namespace

parse_result<sdp_session> make_sdp_answer(const sdp_session& offer, const sdp_local_transport& local,
                                          std::span<const sdp_media_choice> choices) {
  if (choices.size() != offer.media.size()) return parse_error::bad_value;
  sdp_session answer;
  answer.origin.session_id = offer.origin.session_id;
  answer.ice_lite = true;
  answer.extmap_allow_mixed = offer.extmap_allow_mixed;
  answer.msid_semantic = "WMS *";

  sdp_group bundle{"BUNDLE", {}};
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const auto& o = offer.media[i];
    const auto& choice = choices[i];
    sdp_media_section m;
    m.kind = o.kind;
    m.protocol = o.protocol;
    m.mid = o.mid;
    if (choice.payload_types.empty()) {
      m.port = 0;
      m.formats = o.formats.empty() ? std::vector<std::string>{"0"} : std::vector<std::string>{o.formats.front()};
      m.direction = sdp_direction::inactive;
      answer.media.push_back(std::move(m));
      continue;
    }
    const auto kept = with_rtx(o, choice.payload_types);
    for (const auto& f : o.formats) {
      const auto pt = sdp_text::number<uint8_t>(f, 127);
      if (!pt || !contains(kept, *pt)) continue;
      m.formats.push_back(f);
      if (const auto* c = o.codec(*pt)) {
        auto codec = *c;
        if (!choice.extra_fmtp.empty() && contains(choice.payload_types, *pt))
          codec.fmtp += (codec.fmtp.empty() ? "" : ";") + choice.extra_fmtp;
        m.codecs.push_back(std::move(codec));
      }
    }
    if (m.formats.empty()) return parse_error::bad_value;  // chose a type that was never offered
    for (const auto& e : o.extmaps)
      if (std::find(choice.extension_uris.begin(), choice.extension_uris.end(), e.uri) != choice.extension_uris.end())
        m.extmaps.push_back(e);

    m.port = local.candidates.empty() ? 9 : local.candidates.front().port;
    m.connection_address = local.candidates.empty() ? "0.0.0.0" : local.candidates.front().address;
    m.ice_ufrag = local.ice_ufrag;
    m.ice_pwd = local.ice_pwd;
    m.fingerprint = local.fingerprint;
    // The browser opens DTLS to us: as ICE-lite we are never the controlling side.
    m.setup = sdp_setup::passive;
    m.candidates = local.candidates;
    m.end_of_candidates = true;
    m.rtcp_mux = true;
    m.rtcp_rsize = o.rtcp_rsize;
    m.direction = choice.direction;
    // Simulcast the browser sends is simulcast we receive, under the same rids.
    for (const auto& r : o.rids) m.rids.push_back({r.id, r.direction == "send" ? "recv" : "send", {}});
    if (o.simulcast) m.simulcast = sdp_simulcast{o.simulcast->recv, o.simulcast->send};
    m.sctp_port = o.sctp_port;
    m.max_message_size = o.max_message_size;
    bundle.mids.push_back(m.mid);
    answer.media.push_back(std::move(m));
  }
  if (!bundle.mids.empty()) answer.groups.push_back(std::move(bundle));
  return answer;
}

}  // namespace parley::media
