// Routing of RTP and RTCP between a worker's transports: SSRC demultiplexing, mute
// enforcement, keyframe-gated stream starts and layer switches, and in-place rewriting.
#include "media/packet_router.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "media/byte_io.hpp"
#include "media/rtcp_compound.hpp"
#include "media/rtcp_fir.hpp"
#include "media/rtcp_header.hpp"
#include "media/rtcp_nack.hpp"
#include "media/ntp_time.hpp"
#include "media/rtcp_pli.hpp"
#include "media/rtcp_remb.hpp"
#include "media/rtcp_transport_feedback.hpp"
#include "media/rtp_packet.hpp"

namespace parley::media {

namespace {

constexpr uint32_t sfu_rtcp_ssrc = 1;  // sender SSRC of the feedback the SFU originates
constexpr int64_t keyframe_request_interval_ms = 300;
constexpr int64_t audio_level_window_ms = 500;
constexpr uint8_t rtcp_payload_feedback = 206;
constexpr uint8_t fmt_pli = 1;
constexpr uint8_t fmt_fir = 4;
// About 2.5 s of a 1.5 Mbit/s layer: longer than any useful NACK round trip.
constexpr size_t retransmission_cache_packets = 512;
constexpr size_t retransmission_slot_bytes = 1500;
// Retransmissions per subscription: a burst of 100 and 300 a second after it, so a
// subscriber's NACK storm cannot make the SFU send more than a bounded extra.
constexpr int64_t retransmit_burst_milli = 100'000;
constexpr int64_t retransmit_rate_per_s = 300;
constexpr int64_t min_resend_interval_ms = 40;  // the same packet again only after this
constexpr size_t max_nack_sequences = 64;       // per NACK the SFU sends

std::string_view as_text(std::span<const uint8_t> bytes) noexcept {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

constexpr int64_t unix_to_ntp_ms = 2'208'988'800'000;  // 1900 to 1970
constexpr int64_t report_fresh_ms = 5'000;  // a subscriber's report older than this says nothing now

}  // namespace

packet_router::packet_router(packet_output& out) : out_(out) {
  using namespace std::chrono;
  const auto wall = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  const auto mono = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  ntp_offset_ms_ = wall + unix_to_ntp_ms - mono;
}

uint64_t packet_router::ntp_at(int64_t now_ms) const noexcept { return ntp_from_ms(now_ms + ntp_offset_ms_); }

void packet_router::add_transport(transport_id id) { transports_.try_emplace(id); }

void packet_router::remove_transport(transport_id id) {
  std::vector<uint64_t> gone_producers, gone_consumers;
  for (const auto& [pid, p] : producers_)
    if (p->spec.transport == id) gone_producers.push_back(pid);
  for (const auto& [cid, c] : consumers_)
    if (c->spec.transport == id) gone_consumers.push_back(cid);
  for (auto cid : gone_consumers) remove_consumer(cid);
  for (auto pid : gone_producers) remove_producer(pid);
  transports_.erase(id);
}

void packet_router::set_producer(const producer_spec& spec) {
  auto& slot = producers_[spec.id];
  if (!slot) slot = std::make_unique<producer_state>();
  auto& p = *slot;
  auto& t = transports_[spec.transport];
  for (auto it = t.producer_by_ssrc.begin(); it != t.producer_by_ssrc.end();)
    it = it->second == &p ? t.producer_by_ssrc.erase(it) : std::next(it);
  p.spec = spec;
  p.layer_ssrc.fill(0);
  p.rtx_ssrc.fill(0);
  if (spec.rids.empty() && !spec.ssrcs.empty()) {
    p.layer_ssrc[0] = spec.ssrcs.front();
    if (!spec.rtx_ssrcs.empty()) p.rtx_ssrc[0] = spec.rtx_ssrcs.front();
  }
  if (spec.extensions.transport_cc != 0) {
    t.transport_cc_id = spec.extensions.transport_cc;  // one id per transport (BUNDLE)
    if (!t.arrivals) t.arrivals = std::make_unique<transport_feedback_builder>();
  }
  for (auto ssrc : spec.ssrcs) t.producer_by_ssrc[ssrc] = &p;
  for (auto ssrc : spec.rtx_ssrcs)
    if (ssrc != 0) t.producer_by_ssrc[ssrc] = &p;
  for (size_t layer = 0; layer < max_layers; ++layer) {
    p.layers[layer].stats.set_clock_rate(spec.clock_rate);
    if (p.layer_ssrc[layer] != 0) ensure_layer(p, layer);
  }
  for (auto* c : p.consumers) rebuild_extension_map(*c);
}

void packet_router::remove_producer(uint64_t id) {
  const auto it = producers_.find(id);
  if (it == producers_.end()) return;
  auto& p = *it->second;
  for (auto* c : p.consumers) c->producer = nullptr;
  if (const auto t = transports_.find(p.spec.transport); t != transports_.end())
    for (auto s = t->second.producer_by_ssrc.begin(); s != t->second.producer_by_ssrc.end();)
      s = s->second == &p ? t->second.producer_by_ssrc.erase(s) : std::next(s);
  producers_.erase(it);
}

void packet_router::set_consumer(const consumer_spec& spec) {
  if (spec.extensions.transport_cc != 0) {
    auto& t = transports_[spec.transport];
    if (!t.sent_history) t.sent_history = std::make_unique<transport_send_history>();
  }
  if (auto old = consumers_.find(spec.id); old != consumers_.end()) {
    auto& c = *old->second;
    const bool same_stream = c.spec.producer == spec.producer && c.spec.transport == spec.transport &&
                             c.spec.ssrc == spec.ssrc;
    if (same_stream) {  // pause, resume or a new layer limit: the stream stays continuous
      const bool resumed = c.spec.paused && !spec.paused;
      c.spec = spec;
      rebuild_extension_map(c);
      if (c.producer && !c.producer->spec.audio) {
        const auto want = wanted_source(*c.producer, c);
        const bool new_layer = want != 0 && c.rewriter.current_source() != want && c.rewriter.pending_source() != want;
        if (resumed || new_layer) {
          c.waiting_for_keyframe = true;
          if (want != 0) c.rewriter.switch_to(want);
          request_keyframe(*c.producer, 0, true);
        }
      }
      return;
    }
    remove_consumer(spec.id);
  }
  const auto p = producers_.find(spec.producer);
  const uint32_t clock_rate = p == producers_.end() ? 90000 : p->second->spec.clock_rate;
  const bool video = p != producers_.end() && !p->second->spec.audio;
  auto c = std::make_unique<consumer_state>(spec, clock_rate, video);
  auto& ref = *c;
  consumers_.emplace(spec.id, std::move(c));
  transports_[spec.transport].consumer_by_ssrc[spec.ssrc] = &ref;
  attach(ref);
}

void packet_router::remove_consumer(uint64_t id) {
  const auto it = consumers_.find(id);
  if (it == consumers_.end()) return;
  detach(*it->second);
  if (const auto t = transports_.find(it->second->spec.transport); t != transports_.end())
    t->second.consumer_by_ssrc.erase(it->second->spec.ssrc);
  consumers_.erase(it);
}

void packet_router::set_producer_enabled(uint64_t id, bool enabled) {
  const auto it = producers_.find(id);
  if (it == producers_.end()) return;
  auto& p = *it->second;
  const bool resumed = enabled && !p.spec.enabled;
  p.spec.enabled = enabled;
  if (resumed && !p.spec.audio) request_keyframe(p, 0, true);
}

void packet_router::set_producer_paused(uint64_t id, bool paused) {
  const auto it = producers_.find(id);
  if (it == producers_.end()) return;
  auto& p = *it->second;
  const bool resumed = !paused && p.spec.paused;
  p.spec.paused = paused;
  if (resumed && !p.spec.audio) request_keyframe(p, 0, true);
}

void packet_router::attach(consumer_state& c) {
  const auto it = producers_.find(c.spec.producer);
  if (it == producers_.end()) return;
  auto& p = *it->second;
  c.producer = &p;
  p.consumers.push_back(&c);
  rebuild_extension_map(c);
  if (const auto source = wanted_source(p, c)) c.rewriter.switch_to(source);
  if (!p.spec.audio) request_keyframe(p, 0, true);
}

void packet_router::detach(consumer_state& c) {
  if (!c.producer) return;
  auto& list = c.producer->consumers;
  list.erase(std::remove(list.begin(), list.end(), &c), list.end());
  c.producer = nullptr;
}

void packet_router::rebuild_extension_map(consumer_state& c) const {
  c.extension_map.fill(0);
  if (!c.producer) return;
  const auto& from = c.producer->spec.extensions;
  const auto& to = c.spec.extensions;
  // mid and rid describe the publisher's side: removed.
  if (from.audio_level != 0) c.extension_map[from.audio_level] = to.audio_level;
  if (from.abs_send_time != 0) c.extension_map[from.abs_send_time] = to.abs_send_time;
  // The element's bytes are then overwritten with the subscriber transport's own number.
  if (from.transport_cc != 0) c.extension_map[from.transport_cc] = to.transport_cc;
}

const transport_counters* packet_router::counters(transport_id id) const noexcept {
  const auto it = transports_.find(id);
  return it == transports_.end() ? nullptr : &it->second.counters;
}

std::optional<uint64_t> packet_router::loudest_producer(int64_t now_ms) const noexcept {
  std::optional<uint64_t> best;
  uint8_t best_level = 128;
  constexpr uint8_t speech_threshold = 70;  // quieter than -70 dBov is not speech
  for (const auto& [id, p] : producers_) {
    if (!p->spec.audio || !p->spec.enabled || now_ms - p->recent_level_ms > audio_level_window_ms) continue;
    if (p->recent_level < speech_threshold && p->recent_level < best_level) {
      best_level = p->recent_level;
      best = id;
    }
  }
  return best;
}

packet_router::producer_state* packet_router::find_producer(transport_state& t, transport_id from, uint32_t ssrc,
                                                            const std::span<const uint8_t> packet) noexcept {
  if (const auto it = t.producer_by_ssrc.find(ssrc); it != t.producer_by_ssrc.end()) return it->second;
  // A new SSRC (simulcast layers announce none): match it by the mid and rid extensions.
  const auto view = rtp_packet_view::parse(packet);
  if (!view) return nullptr;
  for (const auto& [id, candidate] : producers_) {
    auto& p = *candidate;
    const bool rtx = p.spec.rtx_payload_type != 0 && view->payload_type() == p.spec.rtx_payload_type;
    if (p.spec.transport != from || (view->payload_type() != p.spec.payload_type && !rtx)) continue;
    const auto& ext = p.spec.extensions;
    if (ext.mid == 0) continue;
    const auto mid = view->extension(ext.mid);
    if (!mid || as_text(*mid) != p.spec.mid) continue;
    size_t layer = 0;
    if (!p.spec.rids.empty()) {
      const uint8_t rid_id = rtx ? ext.repaired_rid : ext.rid;
      const auto rid = rid_id != 0 ? view->extension(rid_id) : std::nullopt;
      if (!rid) return nullptr;
      const auto found = std::find(p.spec.rids.begin(), p.spec.rids.end(), as_text(*rid));
      if (found == p.spec.rids.end()) return nullptr;
      layer = static_cast<size_t>(found - p.spec.rids.begin());
      if (layer >= p.layer_ssrc.size()) return nullptr;
    }
    try {
      t.producer_by_ssrc.emplace(ssrc, &p);  // once per new stream, not per packet
      if (rtx) {
        p.rtx_ssrc[layer] = ssrc;
        return &p;
      }
      p.layer_ssrc[layer] = ssrc;
      ensure_layer(p, layer);
    } catch (...) {
      return nullptr;
    }
    for (auto* c : p.consumers)
      if (const auto want = wanted_source(p, *c); want != 0 && c->rewriter.pending_source() != want &&
                                                  c->rewriter.current_source() != want)
        c->rewriter.switch_to(want);
    return &p;
  }
  return nullptr;
}

uint32_t packet_router::wanted_source(const producer_state& p, const consumer_state& c) const noexcept {
  const size_t layers = p.spec.rids.empty() ? 1 : std::min(p.spec.rids.size(), p.layer_ssrc.size());
  uint32_t lowest = 0;
  uint32_t best = 0;
  for (size_t i = 0; i < layers; ++i) {
    if (p.layer_ssrc[i] == 0) continue;
    if (lowest == 0) lowest = p.layer_ssrc[i];
    if (i <= std::min(c.spec.max_layer, c.estimate_layer)) best = p.layer_ssrc[i];
  }
  return best != 0 ? best : lowest;
}

void packet_router::request_keyframe(producer_state& p, int64_t now_ms, bool force) noexcept {
  if (!force && now_ms - p.last_keyframe_request_ms < keyframe_request_interval_ms) return;
  p.last_keyframe_request_ms = now_ms;
  std::array<uint8_t, rtcp_pli::size()> buffer{};
  for (const auto ssrc : p.layer_ssrc) {
    if (ssrc == 0) continue;
    const rtcp_pli pli{sfu_rtcp_ssrc, ssrc};
    if (pli.write(buffer)) out_.send_rtcp(p.spec.transport, buffer);
  }
  if (const auto t = transports_.find(p.spec.transport); t != transports_.end()) ++t->second.counters.keyframe_requests;
}

int packet_router::layer_of(const producer_state& p, uint32_t ssrc) noexcept {
  for (size_t i = 0; i < max_layers; ++i)
    if (p.layer_ssrc[i] == ssrc) return static_cast<int>(i);
  return -1;
}

int packet_router::rtx_layer_of(const producer_state& p, uint32_t ssrc) noexcept {
  for (size_t i = 0; i < max_layers; ++i)
    if (p.rtx_ssrc[i] == ssrc) return static_cast<int>(i);
  return -1;
}

void packet_router::ensure_layer(producer_state& p, size_t layer) {
  if (p.spec.audio || layer >= max_layers || p.layers[layer].cache) return;
  p.layers[layer].cache = std::make_unique<retransmission_cache>(retransmission_cache_packets, retransmission_slot_bytes);
}

void packet_router::on_rtp(transport_id from, std::span<const uint8_t> packet, int64_t now_ms,
                           int64_t arrival_us) noexcept {
  const auto t = transports_.find(from);
  if (t == transports_.end() || packet.size() < rtp_fixed_header_size) return;
  auto& counters = t->second.counters;
  ++counters.packets_in;
  counters.bytes_in += packet.size();
  now_us_ = arrival_us < 0 ? now_ms * 1000 : arrival_us;
  // Every packet counts for congestion control, even one that is then dropped (muted,
  // unknown SSRC, padding-only probes): the sender measures the path, not the stream.
  if (t->second.transport_cc_id != 0)
    on_transport_sequence(t->second, from, packet, now_ms, now_us_);
  const uint32_t ssrc = read_u32(packet, 8);
  auto* p = find_producer(t->second, from, ssrc, packet);
  if (p == nullptr) return;
  if (!p->spec.enabled) {
    ++counters.packets_dropped_muted;
    return;
  }
  if (p->spec.paused) {
    ++counters.packets_dropped_paused;
    return;
  }
  const auto view = rtp_packet_view::parse(packet);
  if (!view) return;
  if (const int layer = layer_of(*p, ssrc); layer >= 0) {
    on_media(t->second, *p, static_cast<size_t>(layer), packet, *view, false, now_ms);
    return;
  }
  // RFC 4588: an RTX packet carries the original sequence number before the payload.
  // Turning it back into the original costs one copy, only for repaired packets.
  const int layer = rtx_layer_of(*p, ssrc);
  if (layer < 0 || view->payload_type() != p->spec.rtx_payload_type || p->layer_ssrc[layer] == 0) return;
  const auto payload = view->payload();
  if (payload.size() <= 2) return;  // padding only: bandwidth probing, nothing to forward
  const size_t header = view->header_size();
  const size_t length = header + payload.size() - 2;
  if (length > rtx_unwrap_.size()) return;
  std::span<uint8_t> original(rtx_unwrap_.data(), length);
  std::memcpy(original.data(), packet.data(), header);
  std::memcpy(original.data() + header, payload.data() + 2, payload.size() - 2);
  original[0] = static_cast<uint8_t>(original[0] & ~0x20);  // its padding stays behind
  original[1] = static_cast<uint8_t>((original[1] & 0x80) | (p->spec.payload_type & 0x7F));
  write_u16(original, 2, read_u16(payload, 0));
  write_u32(original, 8, p->layer_ssrc[static_cast<size_t>(layer)]);
  const auto restored = rtp_packet_view::parse(std::span<const uint8_t>(original));
  if (!restored) return;
  on_media(t->second, *p, static_cast<size_t>(layer), original, *restored, true, now_ms);
}

void packet_router::on_media(transport_state& t, producer_state& p, size_t layer, std::span<const uint8_t> packet,
                             const rtp_packet_view& view, bool repaired, int64_t now_ms) noexcept {
  const uint32_t ssrc = p.layer_ssrc[layer];
  const uint16_t sequence = view.sequence();
  if (!p.spec.audio) {
    auto& state = p.layers[layer];
    switch (state.nacks.on_packet(sequence, now_ms)) {
      case nack_generator::arrival::recovered:
        ++t.counters.packets_repaired;
        break;
      case nack_generator::arrival::old:
        // Already here once (a duplicate, or a retransmission that raced the original).
        if (state.cache && state.cache->find(sequence)) return;
        break;
      case nack_generator::arrival::too_large:
        request_keyframe(p, now_ms, false);
        break;
      case nack_generator::arrival::gap:
      case nack_generator::arrival::in_order:
        break;
    }
    if (state.cache) (void)state.cache->store(sequence, packet);
    if (state.nacks.missing() != 0) send_due_nacks(p, layer, now_ms);
  }
  p.layers[layer].stats.on_packet(sequence, view.timestamp(), packet.size(), repaired, now_ms);
  if (p.spec.audio && p.spec.extensions.audio_level != 0) {
    if (const auto level = view.extension(p.spec.extensions.audio_level); level && !level->empty()) {
      const auto value = static_cast<uint8_t>((*level)[0] & 0x7F);
      if (now_ms - p.recent_level_ms > audio_level_window_ms || value < p.recent_level) p.recent_level = value;
      p.recent_level_ms = now_ms;
    }
  }
  const bool keyframe = p.spec.audio || starts_keyframe(p.spec.codec, view.payload());
  bool needs_keyframe = false;
  for (auto* c : p.consumers) {
    if (c->spec.paused) continue;
    const auto rewritten = c->rewriter.rewrite(ssrc, sequence, view.timestamp(), keyframe, now_ms);
    if (!rewritten) {
      if (!p.spec.audio && c->rewriter.pending_source() == ssrc) needs_keyframe = true;
      continue;
    }
    c->waiting_for_keyframe = false;
    c->sent.record(rewritten->sequence, static_cast<uint8_t>(layer), sequence, rewritten->timestamp);
    c->mapped = true;
    c->current_layer = static_cast<uint8_t>(layer);
    c->sequence_offset = static_cast<uint16_t>(sequence - rewritten->sequence);
    c->timestamp_offset = view.timestamp() - rewritten->timestamp;
    send_rewritten(*c, packet, view, rewritten->sequence, rewritten->timestamp, false);
    c->sent_stats.on_sent(packet.size(), rewritten->timestamp, now_ms);
  }
  if (needs_keyframe) request_keyframe(p, now_ms, false);
}

void packet_router::send_rewritten(consumer_state& c, std::span<const uint8_t> packet, const rtp_packet_view& view,
                                   uint16_t sequence, uint32_t timestamp, bool as_rtx) noexcept {
  auto scratch = out_.scratch();
  const size_t length = packet.size() + (as_rtx ? 2 : 0);
  if (length + 64 > scratch.size()) return;
  const size_t header = view.header_size();
  if (as_rtx) {
    // Header, then the original sequence number, then the payload and padding: still one copy.
    std::memcpy(scratch.data(), packet.data(), header);
    write_u16(scratch, header, sequence);
    std::memcpy(scratch.data() + header + 2, packet.data() + header, packet.size() - header);
  } else {
    std::memcpy(scratch.data(), packet.data(), packet.size());  // the one copy
  }
  auto out = scratch.first(length);
  write_u16(out, 2, as_rtx ? c.rtx_sequence++ : sequence);
  write_u32(out, 4, timestamp);
  write_u32(out, 8, as_rtx ? c.spec.rtx_ssrc : c.spec.ssrc);
  const uint8_t pt = as_rtx ? c.spec.rtx_payload_type : c.spec.payload_type;
  out[1] = static_cast<uint8_t>((out[1] & 0x80) | (pt & 0x7F));
  if (view.has_extension()) {
    const auto block = view.extension_block();
    const auto offset = static_cast<size_t>(block.data() - packet.data());
    remap_header_extensions(out.subspan(offset, block.size()), view.extension_profile(), c.extension_map);
    if (c.spec.extensions.transport_cc != 0) stamp_transport_sequence(c, out, packet, view);
  }
  out_.send_rtp_in_place(c.spec.transport, length);
  if (const auto to = transports_.find(c.spec.transport); to != transports_.end()) {
    ++to->second.counters.packets_out;
    to->second.counters.bytes_out += length;
  }
}

void packet_router::send_due_nacks(producer_state& p, size_t layer, int64_t now_ms) noexcept {
  std::array<uint16_t, max_nack_sequences> due{};
  const size_t n = p.layers[layer].nacks.take_due(now_ms, 0, due);
  if (n == 0) return;
  std::array<uint8_t, rtcp_feedback_header_size + 4 * max_nack_sequences> buffer{};
  const auto size = rtcp_nack::write_sequences(sfu_rtcp_ssrc, p.layer_ssrc[layer], std::span(due).first(n), buffer);
  if (!size) return;
  out_.send_rtcp(p.spec.transport, std::span(buffer).first(*size));
  if (const auto t = transports_.find(p.spec.transport); t != transports_.end()) ++t->second.counters.nacks_sent;
}

bool packet_router::take_retransmit_token(consumer_state& c, int64_t now_ms) noexcept {
  if (c.retransmit_refill_ms == 0) {
    c.retransmit_refill_ms = now_ms;
    c.retransmit_tokens = retransmit_burst_milli;
  }
  const int64_t elapsed = now_ms - c.retransmit_refill_ms;
  if (elapsed > 0) {
    c.retransmit_tokens = std::min(retransmit_burst_milli, c.retransmit_tokens + elapsed * retransmit_rate_per_s);
    c.retransmit_refill_ms = now_ms;
  }
  if (c.retransmit_tokens < 1000) return false;
  c.retransmit_tokens -= 1000;
  return true;
}

void packet_router::on_subscriber_nack(transport_state& t, std::span<const uint8_t> packet, int64_t now_ms) noexcept {
  const auto fb = parse_rtcp_feedback(packet, rtcp_type::rtp_feedback, rtcp_fmt::generic_nack);
  if (!fb) return;
  const auto found = t.consumer_by_ssrc.find(fb->media_ssrc);
  if (found == t.consumer_by_ssrc.end() || found->second->producer == nullptr) return;
  auto& c = *found->second;
  auto& p = *c.producer;
  if (p.spec.audio) return;
  ++t.counters.nacks_received;
  // Packets the SFU no longer holds go to the publisher, one NACK per layer.
  std::array<std::array<uint16_t, max_nack_sequences>, max_layers> upstream{};
  std::array<size_t, max_layers> upstream_count{};
  const bool rtx = c.spec.rtx_ssrc != 0 && c.spec.rtx_payload_type != 0;
  rtcp_nack::for_each_sequence_in(fb->fci, [&](uint16_t out_sequence) {
    size_t layer = c.current_layer;
    uint16_t source_sequence = static_cast<uint16_t>(out_sequence + c.sequence_offset);
    auto* entry = c.sent.find(out_sequence);
    if (entry != nullptr) {
      if (now_ms - entry->last_resent_ms < min_resend_interval_ms) return;
      layer = entry->layer;
      source_sequence = entry->source_sequence;
    } else if (!c.mapped) {
      return;
    }
    const auto& cache = p.layers[layer].cache;
    const auto stored = cache ? cache->find(source_sequence) : std::nullopt;
    if (!stored) {
      if (p.layer_ssrc[layer] != 0 && upstream_count[layer] < max_nack_sequences)
        upstream[layer][upstream_count[layer]++] = source_sequence;
      return;
    }
    const auto view = rtp_packet_view::parse(*stored);
    if (!view) return;
    if (!take_retransmit_token(c, now_ms)) {
      ++t.counters.retransmissions_limited;
      return;
    }
    const uint32_t timestamp = entry != nullptr ? entry->out_timestamp : view->timestamp() - c.timestamp_offset;
    if (entry != nullptr) entry->last_resent_ms = now_ms;
    send_rewritten(c, *stored, *view, out_sequence, timestamp, rtx);
    ++t.counters.packets_retransmitted;
  });
  for (size_t layer = 0; layer < max_layers; ++layer) {
    if (upstream_count[layer] == 0) continue;
    std::array<uint8_t, rtcp_feedback_header_size + 4 * max_nack_sequences> buffer{};
    const auto size = rtcp_nack::write_sequences(sfu_rtcp_ssrc, p.layer_ssrc[layer],
                                                 std::span(upstream[layer]).first(upstream_count[layer]), buffer);
    if (!size) continue;
    out_.send_rtcp(p.spec.transport, std::span(buffer).first(*size));
    if (const auto pt = transports_.find(p.spec.transport); pt != transports_.end()) ++pt->second.counters.nacks_sent;
  }
}

void packet_router::on_rtcp(transport_id from, std::span<const uint8_t> packet, int64_t now_ms) noexcept {
  const auto t = transports_.find(from);
  if (t == transports_.end()) return;
  now_us_ = now_ms * 1000;
  rtcp_compound compound(packet);
  while (const auto ref = compound.next()) {
    if (ref->header.packet_type == rtcp_type::sender_report) {
      on_sender_report(t->second, ref->bytes, now_ms);
      continue;
    }
    if (ref->header.packet_type == rtcp_type::receiver_report) {
      if (ref->header.body.size() >= 4) on_report_blocks(t->second, ref->header.body.subspan(4), ref->header.count, now_ms);
      continue;
    }
    if (ref->header.packet_type == rtcp_type::rtp_feedback && ref->header.count == rtcp_fmt::generic_nack) {
      on_subscriber_nack(t->second, ref->bytes, now_ms);
      continue;
    }
    if (ref->header.packet_type == rtcp_type::rtp_feedback && ref->header.count == rtcp_fmt::transport_feedback) {
      on_subscriber_transport_feedback(t->second, ref->bytes, now_ms);
      continue;
    }
    if (ref->header.packet_type != rtcp_payload_feedback) continue;
    if (ref->header.count == fmt_pli) {
      const auto pli = rtcp_pli::parse(ref->bytes);
      if (!pli) continue;
      const auto c = t->second.consumer_by_ssrc.find(pli->media_ssrc);
      if (c != t->second.consumer_by_ssrc.end() && c->second->producer) request_keyframe(*c->second->producer, now_ms, false);
    } else if (ref->header.count == fmt_fir) {
      // FIR names its targets in entries; a parse allocates, which is fine for this rare message.
      try {
        const auto fir = rtcp_fir::parse(ref->bytes);
        if (!fir) continue;
        for (const auto& e : fir->entries) {
          const auto c = t->second.consumer_by_ssrc.find(e.ssrc);
          if (c != t->second.consumer_by_ssrc.end() && c->second->producer)
            request_keyframe(*c->second->producer, now_ms, false);
        }
      } catch (...) {
      }
    }
  }
}

}  // namespace parley::media

namespace parley::media {

void packet_router::on_sender_report(transport_state& t, std::span<const uint8_t> packet, int64_t now_ms) noexcept {
  const auto h = parse_rtcp_header(packet);
  if (!h || h->body.size() < 24) return;
  const uint32_t ssrc = read_u32(h->body, 0);
  if (const auto p = t.producer_by_ssrc.find(ssrc); p != t.producer_by_ssrc.end())
    if (const int layer = layer_of(*p->second, ssrc); layer >= 0)
      p->second->layers[static_cast<size_t>(layer)].stats.on_sender_report(read_u64(h->body, 4), read_u32(h->body, 12),
                                                                           now_ms);
  // A subscriber that also sends media reports on our streams inside its SR.
  on_report_blocks(t, h->body.subspan(24), h->count, now_ms);
}

void packet_router::on_report_blocks(transport_state& t, std::span<const uint8_t> blocks, size_t count,
                                     int64_t now_ms) noexcept {
  const uint64_t now_ntp = ntp_at(now_ms);
  for (size_t i = 0; i < count && (i + 1) * rtcp_report_block_size <= blocks.size(); ++i) {
    const auto block = rtcp_report_block::parse(blocks.subspan(i * rtcp_report_block_size));
    const auto c = t.consumer_by_ssrc.find(block.ssrc);
    if (c == t.consumer_by_ssrc.end()) continue;
    auto& consumer = *c->second;
    const uint32_t clock_rate = consumer.producer ? consumer.producer->spec.clock_rate : 90000;
    consumer.sent_stats.on_report(block, now_ntp, clock_rate, now_ms);
    if (const auto rtt = consumer.sent_stats.rtt_ms()) t.counters.rtt_ms = *rtt;
  }
}

void packet_router::report_to_publisher(producer_state& p, int64_t elapsed_ms, int64_t now_ms) noexcept {
  const auto t = transports_.find(p.spec.transport);
  if (t == transports_.end()) return;
  // RR (8 + 24 per layer) then, for video, REMB (20 + 4 per layer).
  std::array<uint8_t, 8 + rtcp_report_block_size * max_layers + 20 + 4 * max_layers> buffer{};
  std::array<uint32_t, max_layers> ssrcs{};
  size_t blocks = 0;
  for (size_t layer = 0; layer < max_layers; ++layer) {
    auto& state = p.layers[layer];
    if (p.layer_ssrc[layer] == 0 || !state.stats.started()) continue;
    const uint64_t bytes = state.stats.bytes();
    state.bitrate_bps = elapsed_ms > 0 ? (bytes - state.bytes_at_tick) * 8000 / static_cast<uint64_t>(elapsed_ms) : 0;
    state.bytes_at_tick = bytes;
    const auto block = state.stats.make_report(p.layer_ssrc[layer], now_ms);
    block.write(std::span(buffer).subspan(8 + blocks * rtcp_report_block_size));
    ssrcs[blocks++] = p.layer_ssrc[layer];
    t->second.tick_expected += state.stats.interval_expected();
    t->second.tick_lost += state.stats.interval_lost();
    t->second.tick_jitter_ms = std::max(t->second.tick_jitter_ms, state.stats.jitter_ms());
  }
  if (blocks == 0 || !p.spec.enabled) return;
  size_t size = 8 + blocks * rtcp_report_block_size;
  write_rtcp_header(buffer, static_cast<uint8_t>(blocks), rtcp_type::receiver_report, size);
  write_u32(buffer, 4, sfu_rtcp_ssrc);
  if (!p.spec.audio) {
    t->second.has_video_in = true;
    if (const auto remb = rtcp_remb::write_to(sfu_rtcp_ssrc, t->second.receive_estimate.estimate_bps(),
                                              std::span(ssrcs).first(blocks), std::span(buffer).subspan(size)))
      size += *remb;
  }
  out_.send_rtcp(p.spec.transport, std::span(buffer).first(size));
}

void packet_router::report_to_subscriber(consumer_state& c, int64_t now_ms) noexcept {
  if (!c.sent_stats.sent_any() || c.producer == nullptr || c.spec.paused) return;
  const auto& p = *c.producer;
  // The RTP clock now, in the subscriber's numbering. From the publisher's own SR when there
  // is one, so audio and video of one publisher keep the relation it gave them (lip sync).
  const auto& source = p.layers[c.current_layer].stats;
  const uint32_t rtp = source.has_sender_report() && c.mapped
                           ? source.rtp_at(now_ms) - c.timestamp_offset
                           : c.sent_stats.last_timestamp() +
                                 static_cast<uint32_t>(std::max<int64_t>(0, now_ms - c.sent_stats.last_sent_ms()) *
                                                       p.spec.clock_rate / 1000);
  std::array<uint8_t, 28> sr{};
  write_rtcp_header(sr, 0, rtcp_type::sender_report, sr.size());
  write_u32(sr, 4, c.spec.ssrc);
  write_u64(sr, 8, ntp_at(now_ms));
  write_u32(sr, 16, rtp);
  write_u32(sr, 20, c.sent_stats.packets());
  write_u32(sr, 24, c.sent_stats.octets());
  out_.send_rtcp(c.spec.transport, sr);
}

void packet_router::apply_layer_limit(consumer_state& c) noexcept {
  if (c.producer == nullptr) return;
  const auto want = wanted_source(*c.producer, c);
  if (want == 0 || c.rewriter.pending_source() == want) return;
  if (c.rewriter.current_source() == want && !c.rewriter.pending_source()) return;
  c.rewriter.switch_to(want);  // takes effect at the new layer's next keyframe
  if (c.rewriter.current_source() != want) request_keyframe(*c.producer, 0, true);
}

void packet_router::estimate_subscriber(transport_state& t, int64_t now_ms) noexcept {
  // The freshest video report since the last estimate drives it; no report, no change.
  double worst_loss = -1;
  int64_t newest_report = t.last_estimated_report_ms;
  double loss_out = 0, jitter_out = 0;
  size_t simulcast_consumers = 0;
  for (const auto& [ssrc, c] : t.consumer_by_ssrc) {
    const auto& s = c->sent_stats;
    if (!s.has_report() || now_ms - s.last_report_ms() > report_fresh_ms) continue;
    loss_out = std::max(loss_out, s.fraction_lost());
    jitter_out = std::max(jitter_out, s.jitter_ms());
    if (c->producer == nullptr || c->producer->spec.audio) continue;
    if (!c->spec.paused && c->producer->spec.rids.size() > 1) ++simulcast_consumers;
    if (s.last_report_ms() > t.last_estimated_report_ms) {
      worst_loss = std::max(worst_loss, s.fraction_lost());
      newest_report = std::max(newest_report, s.last_report_ms());
    }
  }
  t.counters.loss_out = loss_out;
  t.counters.jitter_out_ms = jitter_out;
  if (worst_loss < 0) return;
  t.last_estimated_report_ms = newest_report;
  t.send_estimate.on_report(worst_loss, t.counters.rtt_ms >= 0 ? std::optional<int64_t>(t.counters.rtt_ms) : std::nullopt,
                            now_ms);
  t.counters.send_estimate_bps = t.send_estimate.estimate_bps();
  if (simulcast_consumers == 0) return;
  share_estimate(t);
}

void packet_router::share_estimate(transport_state& t) noexcept {
  size_t simulcast_consumers = 0;
  for (const auto& [ssrc, c] : t.consumer_by_ssrc)
    if (c->producer != nullptr && !c->producer->spec.audio && !c->spec.paused && c->producer->spec.rids.size() > 1)
      ++simulcast_consumers;
  if (simulcast_consumers == 0) return;
  // An equal share of the estimate for each simulcast video the subscriber shows.
  const uint64_t share = t.send_estimate.estimate_bps() / simulcast_consumers;
  for (const auto& [ssrc, c] : t.consumer_by_ssrc) {
    if (c->producer == nullptr || c->producer->spec.audio || c->spec.paused || c->producer->spec.rids.size() <= 1)
      continue;
    std::array<uint64_t, 3> rates{};
    for (size_t layer = 0; layer < max_layers; ++layer) rates[layer] = c->producer->layers[layer].bitrate_bps;
    const uint8_t layer = choose_simulcast_layer(share, rates, c->spec.max_layer, c->estimate_layer);
    if (layer == c->estimate_layer) continue;
    c->estimate_layer = layer;
    apply_layer_limit(*c);
  }
}

void packet_router::on_tick(int64_t now_ms) noexcept {
  for (auto& [id, t] : transports_) {
    const int64_t elapsed = t.last_tick_ms < 0 ? 0 : now_ms - t.last_tick_ms;
    if (elapsed > 0) {
      t.counters.bitrate_in_bps = (t.counters.bytes_in - t.bytes_in_at_tick) * 8000 / static_cast<uint64_t>(elapsed);
      t.counters.bitrate_out_bps = (t.counters.bytes_out - t.bytes_out_at_tick) * 8000 / static_cast<uint64_t>(elapsed);
    }
    t.bytes_in_at_tick = t.counters.bytes_in;
    t.bytes_out_at_tick = t.counters.bytes_out;
    t.tick_expected = 0;
    t.tick_lost = 0;
    t.tick_jitter_ms = 0;
    t.has_video_in = false;
  }
  for (auto& [id, p] : producers_) {
    const auto t = transports_.find(p->spec.transport);
    if (t == transports_.end()) continue;
    const int64_t elapsed = t->second.last_tick_ms < 0 ? 0 : now_ms - t->second.last_tick_ms;
    report_to_publisher(*p, elapsed, now_ms);
  }
  for (auto& [id, c] : consumers_) report_to_subscriber(*c, now_ms);
  for (auto& [id, t] : transports_) {
    if (t.tick_expected != 0) {
      t.counters.loss_in = static_cast<double>(t.tick_lost) / static_cast<double>(t.tick_expected);
      t.counters.jitter_in_ms = t.tick_jitter_ms;
    }
    if (t.has_video_in) {
      t.receive_estimate.on_report(t.counters.loss_in, std::nullopt, now_ms);
      t.counters.receive_estimate_bps = t.receive_estimate.estimate_bps();
    }
    estimate_subscriber(t, now_ms);
    if (t.arrivals && t.arrivals->pending()) send_transport_feedback(t, id, now_ms);  // the tail of a stream that stopped
    t.last_tick_ms = now_ms;
  }
}

}  // namespace parley::media

namespace parley::media {
namespace {
// How often a publisher hears about its packets' arrivals: its delay-based estimator
// reacts within a few feedbacks, so this sets how fast it notices a queue.
constexpr int64_t transport_feedback_interval_ms = 50;
}  // namespace

void packet_router::on_transport_sequence(transport_state& t, transport_id from, std::span<const uint8_t> packet,
                                          int64_t now_ms, int64_t arrival_us) noexcept {
  if (!t.arrivals) return;
  const auto view = rtp_packet_view::parse(packet);
  if (!view) return;
  const auto element = view->extension(t.transport_cc_id);
  if (!element || element->size() != 2) return;
  t.arrivals->on_packet(read_u16(*element, 0), arrival_us);
  t.feedback_media_ssrc = view->ssrc();
  if (now_ms - t.last_feedback_ms >= transport_feedback_interval_ms) send_transport_feedback(t, from, now_ms);
}

void packet_router::send_transport_feedback(transport_state& t, transport_id to, int64_t now_ms) noexcept {
  if (!t.arrivals) return;
  t.last_feedback_ms = now_ms;
  std::array<uint8_t, transport_feedback_builder::max_feedback_bytes> buffer{};
  try {  // the wire writer sizes its chunk list on the heap: once per message, not per packet
    while (const size_t n = t.arrivals->write_next(sfu_rtcp_ssrc, t.feedback_media_ssrc, buffer)) {
      out_.send_rtcp(to, std::span(buffer).first(n));
      ++t.counters.transport_feedback_sent;
    }
  } catch (...) {
  }
}

}  // namespace parley::media

namespace parley::media {

void packet_router::stamp_transport_sequence(const consumer_state& c, std::span<uint8_t> out,
                                             std::span<const uint8_t> packet, const rtp_packet_view& view) noexcept {
  if (c.producer == nullptr || c.producer->spec.extensions.transport_cc == 0) return;
  // The publisher's element, already renamed to the subscriber's id in `out`: same place,
  // since the header is copied unchanged (an RTX packet's extra bytes come after it).
  const auto element = view.extension(c.producer->spec.extensions.transport_cc);
  if (!element || element->size() != 2) return;
  const auto t = transports_.find(c.spec.transport);
  if (t == transports_.end() || !t->second.sent_history) return;
  const auto offset = static_cast<size_t>(element->data() - packet.data());
  write_u16(out, offset, t->second.sent_history->record(now_us_, out.size()));
}

void packet_router::on_subscriber_transport_feedback(transport_state& t, std::span<const uint8_t> packet,
                                                     int64_t now_ms) noexcept {
  if (!t.sent_history) return;
  try {  // the parser lists the received packets on the heap: once per feedback, not per packet
    const auto feedback = rtcp_transport_feedback::parse(packet);
    if (!feedback) return;
    ++t.counters.transport_feedback_received;
    delay_samples_.clear();
    feedback->for_each_receive_time([&](uint16_t sequence, int64_t receive_us) {
      if (const auto sent = t.sent_history->find(sequence)) delay_samples_.push_back({sent->send_us, receive_us, sent->bytes});
    });
    if (delay_samples_.empty()) return;
    t.send_estimate.on_delay_feedback(delay_samples_, now_ms);
  } catch (...) {
    return;
  }
  t.counters.send_estimate_bps = t.send_estimate.estimate_bps();
  t.counters.queue_delay_ms = t.send_estimate.queue_delay_us() / 1000;
  share_estimate(t);  // a queue moves the layer now, not at the next receiver report
}

}  // namespace parley::media
