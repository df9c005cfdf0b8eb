// The router actor: turns each client's SDP offers and publish/subscribe ops into
// producers and consumers on the meeting's media worker, and tells participants about them.
#include "actors/media_router.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <map>
#include <variant>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "actors/media_messages.hpp"
#include "actors/meeting_codec.hpp"
#include "actors/meeting_messages.hpp"
#include "actors/service_error.hpp"
#include "media/media_plane.hpp"
#include "media/rtx_negotiation.hpp"
#include "media/sdp_answer.hpp"
#include "media/sdp_session.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
using bytes = std::vector<uint8_t>;

constexpr size_t max_sdp = 64 * 1024;
constexpr size_t max_producers_per_participant = 8;
constexpr size_t max_consumers_per_participant = 128;
constexpr auto speaker_interval = std::chrono::milliseconds{500};

constexpr std::string_view uri_mid = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr std::string_view uri_rid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
constexpr std::string_view uri_repaired_rid = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
constexpr std::string_view uri_audio_level = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
constexpr std::string_view uri_abs_send_time = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
constexpr std::string_view uri_transport_cc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
/// The header extensions the SFU accepts on a section a peer publishes on, and on one it receives on.
constexpr std::array<std::string_view, 6> publish_extensions{uri_mid,         uri_rid,           uri_repaired_rid,
                                                             uri_audio_level, uri_abs_send_time, uri_transport_cc};
constexpr std::array<std::string_view, 3> subscribe_extensions{uri_mid, uri_audio_level, uri_transport_cc};

struct producer_record {
  uint64_t id = 0;
  uint64_t owner = 0;
  std::string source; // mic | camera | screen
  std::string mid;
  media::producer_spec spec;
  std::string codec_name;
};

struct consumer_record {
  uint64_t id = 0;
  uint64_t owner = 0;
  std::string mid;
  media::consumer_spec spec;
  uint32_t max_height = 0; // 0: no limit
};

struct media_peer {
  uint64_t pid = 0;
  media::transport_id transport = 0;
  std::string remote_ufrag;
  std::string local_ufrag;
  std::string local_pwd;
  std::string local_fingerprint; // "sha-256 AB:..."
  std::string candidate_ip;
  uint16_t candidate_port = 0;
  std::string state = "new"; // new | connected | closed
  std::string srtp_cipher;
  bool audio_allowed = true;
  bool video_allowed = true;
  std::map<std::string, uint64_t> producer_by_mid;
  std::map<std::string, uint64_t> consumer_by_mid;
};

struct router_state {
  std::shared_ptr<const node_context> ctx;
  // The meeting whose media this is, or, for an echo test, the one session it belongs to.
  caf::actor meeting;
  uint64_t meeting_id = 0;
  // An echo test: a private room of one connection, whose events go straight to that session.
  bool echo = false;
  media::forwarding_table* table = nullptr;
  std::map<uint64_t, media_peer> peers;
  std::map<uint64_t, producer_record> producers;
  std::map<uint64_t, consumer_record> consumers;
  std::map<media::transport_id, uint64_t> peer_by_transport;
  uint64_t active_speaker = 0;
  bool ticking = false;
  bool share_paused = false; // meeting.pause_share: screen shares are dropped at the worker
  static inline const char* name = "parley.media_router";

  ~router_state() {
    if (table)
      for (const auto& [pid, peer] : peers)
        if (peer.transport != 0)
          table->close_transport(peer.transport);
  }
};

using router_actor = caf::stateful_actor<router_state>;

/// Posts worker events to the router as messages; holds it weakly so a closed meeting goes.
class router_link final : public media::transport_observer {
public:
  explicit router_link(caf::actor_addr router) : router_(std::move(router)) {}
  void on_connected(media::transport_id id, media::srtp_profile profile) override {
    send(id, "connected", std::string{media::to_string(profile)});
  }
  void on_closed(media::transport_id id, media::transport_close_reason reason) override {
    send(id, "closed", std::string{media::to_string(reason)});
  }

private:
  void send(media::transport_id id, const char* state, std::string detail) {
    if (auto router = caf::actor_cast<caf::actor>(router_))
      caf::anon_send(router, rt_transport_atom::value, uint64_t{id}, std::string{state}, std::move(detail));
  }
  caf::actor_addr router_;
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size()
         && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

// --- events --------------------------------------------------------------------------------

void emit(router_actor* self, const std::string& name, bytes data, uint64_t to = 0) {
  if (self->state.echo) // the session is the only participant: nobody else can hear of it
    self->send(self->state.meeting, mt_event_atom::value, name, std::move(data));
  else
    self->send(self->state.meeting, mt_media_event_atom::value, name, std::move(data), to);
}

void pack_producer(meeting_packer& pk, const producer_record& p) {
  pk.pack_map(4);
  pk.pack("producer_id");
  pk.pack(accounts::id_to_hex(p.id));
  pk.pack("participant_id");
  pk.pack(accounts::id_to_hex(p.owner));
  pk.pack("source");
  pk.pack(p.source);
  pk.pack("kind");
  pk.pack(std::string{p.spec.audio ? "audio" : "video"});
}

bytes producer_event(const producer_record& p) {
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pack_producer(pk, p);
  return to_packed(buffer);
}

// --- model changes -------------------------------------------------------------------------

bool producer_allowed(const media_peer& peer, const producer_record& p) {
  if (p.source == "mic")
    return peer.audio_allowed;
  if (p.source == "camera")
    return peer.video_allowed;
  return true; // screen shares are not the camera
}

bool is_screen_share(const producer_record& p) { return p.source != "mic" && p.source != "camera"; }

void close_consumer(router_actor* self, uint64_t consumer_id, bool tell) {
  auto& st = self->state;
  auto it = st.consumers.find(consumer_id);
  if (it == st.consumers.end())
    return;
  st.table->remove_consumer(consumer_id);
  if (auto peer = st.peers.find(it->second.owner); peer != st.peers.end())
    peer->second.consumer_by_mid.erase(it->second.mid);
  if (tell) {
    msgpack::sbuffer buffer;
    meeting_packer pk(buffer);
    pk.pack_map(2);
    pk.pack("consumer_id");
    pk.pack(accounts::id_to_hex(consumer_id));
    pk.pack("mid");
    pk.pack(it->second.mid);
    emit(self, "media.consumer.closed", to_packed(buffer), it->second.owner);
  }
  st.consumers.erase(it);
}

void close_producer(router_actor* self, uint64_t producer_id) {
  auto& st = self->state;
  auto it = st.producers.find(producer_id);
  if (it == st.producers.end())
    return;
  std::vector<uint64_t> dependents;
  for (const auto& [cid, c] : st.consumers)
    if (c.spec.producer == producer_id)
      dependents.push_back(cid);
  for (auto cid : dependents)
    close_consumer(self, cid, true);
  st.table->remove_producer(producer_id);
  if (auto peer = st.peers.find(it->second.owner); peer != st.peers.end())
    peer->second.producer_by_mid.erase(it->second.mid);
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(2);
  pk.pack("producer_id");
  pk.pack(accounts::id_to_hex(producer_id));
  pk.pack("participant_id");
  pk.pack(accounts::id_to_hex(it->second.owner));
  st.producers.erase(it);
  emit(self, "media.producer.removed", to_packed(buffer));
}

void drop_peer(router_actor* self, uint64_t pid) {
  auto& st = self->state;
  auto it = st.peers.find(pid);
  if (it == st.peers.end())
    return;
  std::vector<uint64_t> producers, consumers;
  for (const auto& [mid, id] : it->second.producer_by_mid)
    producers.push_back(id);
  for (const auto& [mid, id] : it->second.consumer_by_mid)
    consumers.push_back(id);
  for (auto id : consumers)
    close_consumer(self, id, false);
  for (auto id : producers)
    close_producer(self, id);
  if (it->second.transport != 0) {
    st.table->close_transport(it->second.transport);
    st.peer_by_transport.erase(it->second.transport);
  }
  st.peers.erase(it);
}

// --- SDP -----------------------------------------------------------------------------------

const media::sdp_codec* pick_codec(const media::sdp_media_section& m, std::string_view wanted = {}) {
  auto usable = [&](const media::sdp_codec& c) {
    if (!wanted.empty())
      return iequals(c.name, wanted)
             && (!iequals(wanted, "H264") || c.parameter("packetization-mode").value_or("0") == "1");
    if (m.kind == "audio")
      return iequals(c.name, "opus");
    return iequals(c.name, "VP8");
  };
  for (const auto& c : m.codecs)
    if (usable(c))
      return &c;
  if (wanted.empty() && m.kind == "video")
    for (const auto& c : m.codecs)
      if (iequals(c.name, "H264") && c.parameter("packetization-mode").value_or("0") == "1")
        return &c;
  return nullptr;
}

uint8_t extension_id(const media::sdp_media_section& m, std::string_view uri) {
  for (const auto& e : m.extmaps)
    if (e.uri == uri && e.id < 256)
      return static_cast<uint8_t>(e.id);
  return 0;
}

media::rtp_extension_ids extension_ids(const media::sdp_media_section& m, bool consumer) {
  media::rtp_extension_ids ids;
  ids.mid = extension_id(m, uri_mid);
  ids.audio_level = extension_id(m, uri_audio_level);
  ids.transport_cc = extension_id(m, uri_transport_cc);
  if (!consumer) {
    ids.rid = extension_id(m, uri_rid);
    ids.repaired_rid = extension_id(m, uri_repaired_rid);
    ids.abs_send_time = extension_id(m, uri_abs_send_time);
  }
  return ids;
}

bool sends(const media::sdp_media_section& m) {
  auto d = m.direction.value_or(media::sdp_direction::sendrecv);
  return m.port != 0 && (d == media::sdp_direction::sendonly || d == media::sdp_direction::sendrecv);
}

bool receives(const media::sdp_media_section& m) {
  auto d = m.direction.value_or(media::sdp_direction::sendrecv);
  return m.port != 0 && (d == media::sdp_direction::recvonly || d == media::sdp_direction::sendrecv);
}

/// The media SSRCs a section announces, RTX ones (second in an FID group) left out.
std::vector<uint32_t> media_ssrcs(const media::sdp_media_section& m) {
  std::vector<uint32_t> rtx, out;
  for (const auto& g : m.ssrc_groups)
    if (g.semantics == "FID" && g.ssrcs.size() == 2)
      rtx.push_back(g.ssrcs[1]);
  for (const auto& a : m.ssrcs)
    if (std::find(rtx.begin(), rtx.end(), a.ssrc) == rtx.end() && std::find(out.begin(), out.end(), a.ssrc) == out.end())
      out.push_back(a.ssrc);
  return out;
}

uint8_t layer_for_height(uint32_t max_height) {
  if (max_height == 0 || max_height > 360)
    return 2;
  return max_height > 180 ? 1 : 0;
}

struct negotiation_error {
  error_code code;
  std::string message;
};

/// Parses the offer, creates or restarts the transport, reconciles every section with the
/// peer's producers and consumers, pushes the changes to the worker and writes the answer.
std::variant<std::string, negotiation_error> negotiate(router_actor* self, media_peer& peer, const std::string& text) {
  auto& st = self->state;
  if (text.size() > max_sdp)
    return negotiation_error{error_code::bad_request, "sdp is larger than 64 KiB"};
  auto parsed = media::sdp_session::parse(text);
  if (!parsed)
    return negotiation_error{error_code::bad_request, "sdp is not a valid offer"};
  auto& offer = *parsed;
  const media::sdp_media_section* first = nullptr;
  for (const auto& m : offer.media)
    if (m.port != 0) {
      first = &m;
      break;
    }
  if (!first)
    return negotiation_error{error_code::bad_request, "the offer has no active media section"};
  const auto ufrag = std::string{offer.effective_ice_ufrag(*first)};
  const auto* fingerprint = offer.effective_fingerprint(*first);
  if (ufrag.empty() || !fingerprint)
    return negotiation_error{error_code::bad_request, "the offer lacks ice-ufrag or a fingerprint"};
  if (peer.transport == 0) {
    media::transport_options options;
    options.remote_fingerprint = fingerprint->algorithm + " " + fingerprint->value;
    options.remote_ufrag = ufrag;
    auto info = st.table->create_transport(options, std::make_shared<router_link>(self->address()));
    if (!info)
      return negotiation_error{error_code::bad_request, "the offer's fingerprint must be sha-256"};
    peer.transport = info->id;
    peer.remote_ufrag = ufrag;
    peer.local_ufrag = info->ice_ufrag;
    peer.local_pwd = info->ice_password;
    peer.local_fingerprint = info->fingerprint;
    peer.candidate_ip = info->candidate_ip;
    peer.candidate_port = info->candidate_port;
    st.peer_by_transport[info->id] = peer.pid;
  } else if (ufrag != peer.remote_ufrag) { // ICE restart
    auto [local_ufrag, local_pwd] = st.table->restart_ice(peer.transport, ufrag);
    peer.remote_ufrag = ufrag;
    peer.local_ufrag = std::move(local_ufrag);
    peer.local_pwd = std::move(local_pwd);
  }

  // Sections that stopped sending or receiving end their producer or consumer.
  for (auto [mid, id] : std::map<std::string, uint64_t>{peer.producer_by_mid}) {
    const auto* m = offer.find_mid(mid);
    if (!m || !sends(*m))
      close_producer(self, id);
  }
  for (auto [mid, id] : std::map<std::string, uint64_t>{peer.consumer_by_mid}) {
    const auto* m = offer.find_mid(mid);
    if (!m || !receives(*m))
      close_consumer(self, id, false);
  }

  std::vector<media::sdp_media_choice> choices(offer.media.size());
  std::vector<std::pair<size_t, uint64_t>> consumer_sections;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const auto& m = offer.media[i];
    auto& choice = choices[i];
    if (m.port == 0 || (m.kind != "audio" && m.kind != "video"))
      continue; // rejected
    if (auto p = peer.producer_by_mid.find(m.mid); p != peer.producer_by_mid.end()) {
      auto& rec = st.producers.at(p->second);
      const auto* codec = pick_codec(m, rec.codec_name.empty() ? std::string_view{} : std::string_view{rec.codec_name});
      if (!codec) {
        close_producer(self, p->second);
        continue;
      }
      choice.payload_types = {codec->payload_type};
      choice.direction = media::sdp_direction::recvonly;
      choice.extension_uris.assign(publish_extensions.begin(), publish_extensions.end());
      if (m.kind == "video")
        choice.extra_fmtp = "x-google-start-bitrate=1000";
      const bool fresh = rec.codec_name.empty();
      rec.codec_name = codec->name;
      rec.spec.id = rec.id;
      rec.spec.transport = peer.transport;
      rec.spec.audio = m.kind == "audio";
      rec.spec.codec = iequals(codec->name, "VP8")    ? media::video_codec::vp8
                       : iequals(codec->name, "H264") ? media::video_codec::h264
                                                      : media::video_codec::other;
      rec.spec.payload_type = codec->payload_type;
      rec.spec.clock_rate = codec->clock_rate == 0 ? 90000 : codec->clock_rate;
      rec.spec.ssrcs = media_ssrcs(m);
      rec.spec.mid = m.mid;
      rec.spec.rids.clear();
      if (m.simulcast)
        for (const auto& alternatives : m.simulcast->send)
          if (!alternatives.empty() && rec.spec.rids.size() < 3)
            rec.spec.rids.push_back(alternatives.front().starts_with("~") ? alternatives.front().substr(1)
                                                                        : alternatives.front());
      rec.spec.extensions = extension_ids(m, false);
      rec.spec.enabled = producer_allowed(peer, rec);
      rec.spec.paused = st.share_paused && is_screen_share(rec);
      rec.spec.rtx_payload_type = media::rtx_payload_type_for(m, codec->payload_type);
      rec.spec.rtx_ssrcs = media::rtx_ssrcs_for(m, rec.spec.ssrcs);
      st.table->set_producer(rec.spec);
      if (fresh)
        emit(self, "media.producer.added", producer_event(rec));
      continue;
    }
    if (auto c = peer.consumer_by_mid.find(m.mid); c != peer.consumer_by_mid.end()) {
      auto& rec = st.consumers.at(c->second);
      const auto& producer = st.producers.at(rec.spec.producer);
      const auto* codec = pick_codec(m, producer.codec_name);
      if (!codec || m.kind != (producer.spec.audio ? "audio" : "video")) {
        close_consumer(self, c->second, true);
        continue;
      }
      choice.payload_types = {codec->payload_type};
      choice.direction = media::sdp_direction::sendonly;
      choice.extension_uris.assign(subscribe_extensions.begin(), subscribe_extensions.end());
      rec.spec.payload_type = codec->payload_type;
      rec.spec.transport = peer.transport;
      rec.spec.extensions = extension_ids(m, true);
      // Retransmissions go as RTX when the subscriber offers it, on an SSRC next to the media one.
      rec.spec.rtx_payload_type = media::rtx_payload_type_for(m, codec->payload_type);
      rec.spec.rtx_ssrc = rec.spec.rtx_payload_type != 0 ? rec.spec.ssrc ^ 1u : 0;
      st.table->set_consumer(rec.spec);
      consumer_sections.emplace_back(i, rec.id);
      continue;
    }
    // Not (or no longer) bound: kept in the bundle, inactive, with the header extensions it gets
    // once published (a sending section) or subscribed: a peer may offer later only what an
    // answer accepted (werift does), so answering less here would lose them for good.
    if (const auto* codec = pick_codec(m)) {
      choice.payload_types = {codec->payload_type};
      choice.direction = media::sdp_direction::inactive;
      if (sends(m))
        choice.extension_uris.assign(publish_extensions.begin(), publish_extensions.end());
      else
        choice.extension_uris.assign(subscribe_extensions.begin(), subscribe_extensions.end());
    }
  }

  media::sdp_local_transport local;
  local.ice_ufrag = peer.local_ufrag;
  local.ice_pwd = peer.local_pwd;
  const auto space = peer.local_fingerprint.find(' ');
  local.fingerprint = {peer.local_fingerprint.substr(0, space), peer.local_fingerprint.substr(space + 1)};
  media::sdp_candidate candidate;
  candidate.foundation = "1";
  candidate.component = 1;
  candidate.transport = "udp";
  candidate.priority = 2130706431;
  candidate.address = peer.candidate_ip;
  candidate.port = peer.candidate_port;
  candidate.type = "host";
  local.candidates.push_back(candidate);
  auto answer = media::make_sdp_answer(offer, local, choices);
  if (!answer)
    return negotiation_error{error_code::bad_request, "the offer cannot be answered"};
  for (auto [index, consumer_id] : consumer_sections) {
    auto& section = answer->media[index];
    const auto& rec = st.consumers.at(consumer_id);
    const auto& producer = st.producers.at(rec.spec.producer);
    const auto stream = accounts::id_to_hex(producer.owner);
    const auto track = accounts::id_to_hex(producer.id);
    section.msid = stream + " " + track;
    section.ssrcs.push_back({rec.spec.ssrc, "cname", "parley-" + stream});
    section.ssrcs.push_back({rec.spec.ssrc, "msid", section.msid});
    if (rec.spec.rtx_ssrc != 0) {
      section.ssrc_groups.push_back({"FID", {rec.spec.ssrc, rec.spec.rtx_ssrc}});
      section.ssrcs.push_back({rec.spec.rtx_ssrc, "cname", "parley-" + stream});
      section.ssrcs.push_back({rec.spec.rtx_ssrc, "msid", section.msid});
    }
  }
  return answer->to_string();
}

// --- ops -----------------------------------------------------------------------------------

bytes pack_answer(const std::string& sdp, std::string_view id_key = {}, uint64_t id = 0) {
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(id_key.empty() ? 1 : 2);
  pk.pack("sdp");
  pk.pack(sdp);
  if (!id_key.empty()) {
    pk.pack(std::string{id_key});
    pk.pack(accounts::id_to_hex(id));
  }
  return to_packed(buffer);
}

std::optional<uint64_t> hex_arg(const msgpack::object& args, std::string_view key) {
  uint64_t id = 0;
  auto text = protocol::string_field(args, key);
  if (!text || !accounts::id_from_hex(*text, id) || id == 0)
    return std::nullopt;
  return id;
}

caf::result<bytes> negotiated(router_actor* self, media_peer& peer, const std::string& sdp, std::string_view id_key = {},
                              uint64_t id = 0) {
  auto outcome = negotiate(self, peer, sdp);
  if (auto* err = std::get_if<negotiation_error>(&outcome))
    return make_service_error(err->code, err->message);
  return pack_answer(std::get<std::string>(outcome), id_key, id);
}

caf::result<bytes> handle_request(router_actor* self, const std::string& op, uint64_t pid, bool audio_allowed,
                                  bool video_allowed, const bytes& packed_args) {
  auto& st = self->state;
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(reinterpret_cast<const char*>(packed_args.data()), packed_args.size());
  } catch (const std::exception&) {
    return make_service_error(error_code::bad_request, "args must be a map");
  }
  const auto& args = handle.get();
  auto& peer = st.peers[pid];
  peer.pid = pid;
  peer.audio_allowed = audio_allowed;
  peer.video_allowed = video_allowed;
  auto sdp_text = protocol::string_field(args, "sdp");
  const std::string sdp = sdp_text ? std::string{*sdp_text} : std::string{};

  if (op == "media.producers") {
    msgpack::sbuffer buffer;
    meeting_packer pk(buffer);
    pk.pack_map(1);
    pk.pack("producers");
    pk.pack_array(static_cast<uint32_t>(st.producers.size()));
    for (const auto& [id, p] : st.producers)
      pack_producer(pk, p);
    return to_packed(buffer);
  }
  if (op == "media.negotiate") {
    if (sdp.empty())
      return make_service_error(error_code::bad_request, "args.sdp (the client's offer) is required");
    return negotiated(self, peer, sdp);
  }
  if (op == "media.publish") {
    auto mid = protocol::string_field(args, "mid");
    auto source = protocol::string_field(args, "source");
    if (sdp.empty() || !mid || mid->empty() || !source)
      return make_service_error(error_code::bad_request, "args.sdp, args.mid and args.source are required");
    if (*source != "mic" && *source != "camera" && *source != "screen")
      return make_service_error(error_code::bad_request, "source must be mic, camera or screen");
    if (peer.producer_by_mid.contains(std::string{*mid}) || peer.consumer_by_mid.contains(std::string{*mid}))
      return make_service_error(error_code::conflict, "that mid is already in use");
    if (peer.producer_by_mid.size() >= max_producers_per_participant)
      return make_service_error(error_code::conflict, "too many published tracks");
    auto parsed = media::sdp_session::parse(sdp);
    const auto* section = parsed ? parsed->find_mid(*mid) : nullptr;
    if (!section || !sends(*section))
      return make_service_error(error_code::bad_request, "the offer has no sending section with that mid");
    const bool audio = *source == "mic";
    if (section->kind != (audio ? "audio" : "video"))
      return make_service_error(error_code::bad_request, "source mic needs an audio section, camera and screen video");
    producer_record rec;
    rec.id = accounts::random_id();
    rec.owner = pid;
    rec.source = std::string{*source};
    rec.mid = std::string{*mid};
    const auto id = rec.id;
    st.producers.emplace(id, std::move(rec));
    peer.producer_by_mid[std::string{*mid}] = id;
    auto result = negotiate(self, peer, sdp);
    if (auto* err = std::get_if<negotiation_error>(&result)) {
      if (st.producers.contains(id)) {
        st.table->remove_producer(id);
        st.producers.erase(id);
        peer.producer_by_mid.erase(std::string{*mid});
      }
      return make_service_error(err->code, err->message);
    }
    if (!st.producers.contains(id))
      return make_service_error(error_code::bad_request, "the section offers no supported codec (Opus, VP8, H.264)");
    return pack_answer(std::get<std::string>(result), "producer_id", id);
  }
  if (op == "media.unpublish") {
    auto id = hex_arg(args, "producer_id");
    if (!id)
      return make_service_error(error_code::bad_request, "args.producer_id is required");
    auto it = st.producers.find(*id);
    if (it == st.producers.end() || it->second.owner != pid)
      return make_service_error(error_code::not_found, "no such producer of yours");
    close_producer(self, *id);
    if (sdp.empty())
      return protocol::empty_map();
    return negotiated(self, peer, sdp);
  }
  if (op == "media.subscribe") {
    auto mid = protocol::string_field(args, "mid");
    auto producer_id = hex_arg(args, "producer_id");
    if (sdp.empty() || !mid || mid->empty() || !producer_id)
      return make_service_error(error_code::bad_request, "args.sdp, args.mid and args.producer_id are required");
    auto producer = st.producers.find(*producer_id);
    if (producer == st.producers.end())
      return make_service_error(error_code::not_found, "no such producer in this meeting");
    if (peer.producer_by_mid.contains(std::string{*mid}) || peer.consumer_by_mid.contains(std::string{*mid}))
      return make_service_error(error_code::conflict, "that mid is already in use");
    if (peer.consumer_by_mid.size() >= max_consumers_per_participant)
      return make_service_error(error_code::conflict, "too many subscriptions");
    auto parsed = media::sdp_session::parse(sdp);
    const auto* section = parsed ? parsed->find_mid(*mid) : nullptr;
    if (!section || !receives(*section))
      return make_service_error(error_code::bad_request, "the offer has no receiving section with that mid");
    if (section->kind != (producer->second.spec.audio ? "audio" : "video"))
      return make_service_error(error_code::bad_request, "the section's kind does not match the producer");
    consumer_record rec;
    rec.id = accounts::random_id();
    rec.owner = pid;
    rec.mid = std::string{*mid};
    rec.spec.id = rec.id;
    rec.spec.producer = *producer_id;
    rec.spec.ssrc = static_cast<uint32_t>(accounts::random_id() | 0x10000u);
    rec.spec.paused = protocol::bool_field(args, "paused").value_or(false);
    rec.max_height = static_cast<uint32_t>(std::min<uint64_t>(protocol::uint_field(args, "max_height").value_or(0), 1u << 16));
    rec.spec.max_layer = layer_for_height(rec.max_height);
    const auto id = rec.id;
    st.consumers.emplace(id, std::move(rec));
    peer.consumer_by_mid[std::string{*mid}] = id;
    auto result = negotiate(self, peer, sdp);
    if (auto* err = std::get_if<negotiation_error>(&result)) {
      close_consumer(self, id, false);
      return make_service_error(err->code, err->message);
    }
    if (!st.consumers.contains(id))
      return make_service_error(error_code::bad_request, "the section offers no codec the producer sends");
    return pack_answer(std::get<std::string>(result), "consumer_id", id);
  }
  if (op == "media.unsubscribe") {
    auto id = hex_arg(args, "consumer_id");
    if (!id)
      return make_service_error(error_code::bad_request, "args.consumer_id is required");
    auto it = st.consumers.find(*id);
    if (it == st.consumers.end() || it->second.owner != pid)
      return make_service_error(error_code::not_found, "no such consumer of yours");
    close_consumer(self, *id, false);
    if (sdp.empty())
      return protocol::empty_map();
    return negotiated(self, peer, sdp);
  }
  if (op == "media.consumer.update") {
    auto id = hex_arg(args, "consumer_id");
    if (!id)
      return make_service_error(error_code::bad_request, "args.consumer_id is required");
    auto it = st.consumers.find(*id);
    if (it == st.consumers.end() || it->second.owner != pid)
      return make_service_error(error_code::not_found, "no such consumer of yours");
    if (auto paused = protocol::bool_field(args, "paused"))
      it->second.spec.paused = *paused;
    if (auto height = protocol::uint_field(args, "max_height")) {
      it->second.max_height = static_cast<uint32_t>(std::min<uint64_t>(*height, 1u << 16));
      it->second.spec.max_layer = layer_for_height(it->second.max_height);
    }
    st.table->set_consumer(it->second.spec);
    return protocol::empty_map();
  }
  if (op == "media.stats") {
    if (peer.transport == 0)
      return make_service_error(error_code::not_found, "no media transport yet; negotiate first");
    auto rp = self->make_response_promise<bytes>();
    auto state = peer.state;
    auto cipher = peer.srtp_cipher;
    auto producers = peer.producer_by_mid.size();
    auto consumers = peer.consumer_by_mid.size();
    st.table->query_counters(peer.transport, [rp, state, cipher, producers, consumers](const media::transport_counters& c) mutable {
      msgpack::sbuffer buffer;
      meeting_packer pk(buffer);
      pk.pack_map(28);
      pk.pack("state");
      pk.pack(state);
      pk.pack("srtp_cipher");
      pk.pack(cipher);
      pk.pack("producers");
      pk.pack(static_cast<uint64_t>(producers));
      pk.pack("consumers");
      pk.pack(static_cast<uint64_t>(consumers));
      pk.pack("packets_in");
      pk.pack(c.packets_in);
      pk.pack("bytes_in");
      pk.pack(c.bytes_in);
      pk.pack("packets_out");
      pk.pack(c.packets_out);
      pk.pack("bytes_out");
      pk.pack(c.bytes_out);
      pk.pack("packets_dropped_muted");
      pk.pack(c.packets_dropped_muted);
      pk.pack("keyframe_requests");
      pk.pack(c.keyframe_requests);
      // Quality figures and repair counters of the media plane (docs/protocol.md, media.stats).
      pk.pack("bitrate_in_bps");
      pk.pack(c.bitrate_in_bps);
      pk.pack("bitrate_out_bps");
      pk.pack(c.bitrate_out_bps);
      pk.pack("loss_in");
      pk.pack(c.loss_in);
      pk.pack("loss_out");
      pk.pack(c.loss_out);
      pk.pack("jitter_in_ms");
      pk.pack(c.jitter_in_ms);
      pk.pack("jitter_out_ms");
      pk.pack(c.jitter_out_ms);
      pk.pack("rtt_ms");
      pk.pack(c.rtt_ms);
      pk.pack("send_estimate_bps");
      pk.pack(c.send_estimate_bps);
      pk.pack("receive_estimate_bps");
      pk.pack(c.receive_estimate_bps);
      pk.pack("nacks_received");
      pk.pack(c.nacks_received);
      pk.pack("packets_retransmitted");
      pk.pack(c.packets_retransmitted);
      pk.pack("retransmissions_limited");
      pk.pack(c.retransmissions_limited);
      pk.pack("nacks_sent");
      pk.pack(c.nacks_sent);
      pk.pack("packets_repaired");
      pk.pack(c.packets_repaired);
      pk.pack("packets_dropped_paused");
      pk.pack(c.packets_dropped_paused);
      pk.pack("transport_feedback_sent");
      pk.pack(c.transport_feedback_sent);
      pk.pack("transport_feedback_received");
      pk.pack(c.transport_feedback_received);
      pk.pack("queue_delay_ms");
      pk.pack(c.queue_delay_ms);
      rp.deliver(to_packed(buffer));
    });
    return rp;
  }
  return make_service_error(error_code::unknown_op, "unknown media op '" + op + "'");
}

void apply_allowed(router_actor* self, uint64_t pid, bool audio, bool video) {
  auto& st = self->state;
  auto it = st.peers.find(pid);
  if (it == st.peers.end())
    return;
  it->second.audio_allowed = audio;
  it->second.video_allowed = video;
  for (const auto& [mid, id] : it->second.producer_by_mid) {
    auto& rec = st.producers.at(id);
    const bool allowed = producer_allowed(it->second, rec);
    if (allowed != rec.spec.enabled) {
      rec.spec.enabled = allowed;
      st.table->set_producer_enabled(id, allowed);
    }
  }
}

caf::behavior media_router(router_actor* self, std::shared_ptr<const node_context> ctx, caf::actor meeting,
                           uint64_t meeting_id, bool echo) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.meeting = std::move(meeting);
  st.meeting_id = meeting_id;
  st.echo = echo;
  if (echo) {
    // An echo test ends with its connection; its transports close with this actor's state.
    self->monitor(st.meeting);
    self->set_down_handler([self](const caf::down_msg& msg) {
      if (msg.source == self->state.meeting.address())
        self->quit();
    });
  }
  st.table = &st.ctx->media->for_meeting(meeting_id);
  if (!echo) // an echo test has one speaker: no active-speaker checks
    self->delayed_send(self, speaker_interval, rt_tick_atom::value);
  return {
    [self](rt_request_atom, const std::string& op, uint64_t pid, bool audio_allowed, bool video_allowed,
           const bytes& args) { return handle_request(self, op, pid, audio_allowed, video_allowed, args); },
    [self](rt_allow_atom, uint64_t pid, bool audio, bool video) { apply_allowed(self, pid, audio, video); },
    [self](rt_leave_atom, uint64_t pid) { drop_peer(self, pid); },
    [self](rt_share_atom, bool paused) {
      auto& st = self->state;
      st.share_paused = paused;
      for (auto& [id, rec] : st.producers)
        if (is_screen_share(rec) && rec.spec.paused != paused) {
          rec.spec.paused = paused;
          st.table->set_producer_paused(id, paused);
        }
    },
    [self](rt_transport_atom, uint64_t transport, const std::string& state, const std::string& detail) {
      auto& st = self->state;
      auto it = st.peer_by_transport.find(transport);
      if (it == st.peer_by_transport.end())
        return;
      auto peer = st.peers.find(it->second);
      if (peer == st.peers.end())
        return;
      peer->second.state = state;
      msgpack::sbuffer buffer;
      meeting_packer pk(buffer);
      pk.pack_map(2);
      pk.pack("state");
      pk.pack(state);
      if (state == "connected") {
        peer->second.srtp_cipher = detail;
        pk.pack("srtp_cipher");
      } else
        pk.pack("reason");
      pk.pack(detail);
      emit(self, "media.transport.state", to_packed(buffer), peer->second.pid);
      if (state == "closed") {
        // Its producers and consumers are gone from the worker; forget them here too.
        const auto pid = peer->second.pid;
        peer->second.transport = 0;
        st.peer_by_transport.erase(it);
        drop_peer(self, pid);
      }
    },
    [self](rt_tick_atom) {
      auto& st = self->state;
      if (!st.producers.empty())
        st.table->query_loudest([router = caf::actor_cast<caf::actor_addr>(self)](std::optional<uint64_t> loudest) {
          if (auto r = caf::actor_cast<caf::actor>(router))
            caf::anon_send(r, rt_speaker_atom::value, loudest.value_or(0));
        });
      self->delayed_send(self, speaker_interval, rt_tick_atom::value);
    },
    [self](rt_speaker_atom, uint64_t producer_id) {
      auto& st = self->state;
      auto it = st.producers.find(producer_id);
      if (it == st.producers.end() || it->second.owner == st.active_speaker)
        return;
      st.active_speaker = it->second.owner;
      msgpack::sbuffer buffer;
      meeting_packer pk(buffer);
      pk.pack_map(1);
      pk.pack("participant_id");
      pk.pack(accounts::id_to_hex(st.active_speaker));
      emit(self, "media.active_speaker", to_packed(buffer));
    },
  };
}

} // namespace

caf::actor spawn_media_router(caf::local_actor* meeting, std::shared_ptr<const node_context> ctx, uint64_t meeting_id) {
  return meeting->spawn<caf::linked>(media_router, std::move(ctx), caf::actor_cast<caf::actor>(meeting), meeting_id,
                                     false);
}

caf::actor spawn_echo_router(caf::local_actor* session, std::shared_ptr<const node_context> ctx, uint64_t echo_id) {
  return session->spawn(media_router, std::move(ctx), caf::actor_cast<caf::actor>(session), echo_id, true);
}

} // namespace parley::actors
