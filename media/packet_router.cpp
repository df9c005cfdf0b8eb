// Routing of RTP and RTCP between a worker's transports: SSRC demultiplexing, mute
// enforcement, keyframe-gated stream starts and layer switches, and in-place rewriting.
#include "media/packet_router.hpp"

#include <algorithm>
#include <cstring>

#include "media/byte_io.hpp"
#include "media/rtcp_compound.hpp"
#include "media/rtcp_fir.hpp"
#include "media/rtcp_pli.hpp"
#include "media/rtp_packet.hpp"

namespace parley::media {

namespace {

constexpr uint32_t sfu_rtcp_ssrc = 1;  // sender SSRC of the feedback the SFU originates
constexpr int64_t keyframe_request_interval_ms = 300;
constexpr int64_t audio_level_window_ms = 500;
constexpr uint8_t rtcp_payload_feedback = 206;
constexpr uint8_t fmt_pli = 1;
constexpr uint8_t fmt_fir = 4;

std::string_view as_text(std::span<const uint8_t> bytes) noexcept {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

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
  if (spec.rids.empty() && !spec.ssrcs.empty()) p.layer_ssrc[0] = spec.ssrcs.front();
  for (auto ssrc : spec.ssrcs) t.producer_by_ssrc[ssrc] = &p;
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
  auto c = std::make_unique<consumer_state>(spec, clock_rate);
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
  // mid, rid and transport-wide sequence numbers describe the publisher's side: removed.
  if (from.audio_level != 0) c.extension_map[from.audio_level] = to.audio_level;
  if (from.abs_send_time != 0) c.extension_map[from.abs_send_time] = to.abs_send_time;
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
    if (p.spec.transport != from || view->payload_type() != p.spec.payload_type) continue;
    const auto& ext = p.spec.extensions;
    if (ext.mid == 0) continue;
    const auto mid = view->extension(ext.mid);
    if (!mid || as_text(*mid) != p.spec.mid) continue;
    size_t layer = 0;
    if (!p.spec.rids.empty()) {
      const auto rid = ext.rid != 0 ? view->extension(ext.rid) : std::nullopt;
      if (!rid) return nullptr;
      const auto found = std::find(p.spec.rids.begin(), p.spec.rids.end(), as_text(*rid));
      if (found == p.spec.rids.end()) return nullptr;
      layer = static_cast<size_t>(found - p.spec.rids.begin());
      if (layer >= p.layer_ssrc.size()) return nullptr;
    }
    try {
      t.producer_by_ssrc.emplace(ssrc, &p);  // once per new stream, not per packet
    } catch (...) {
      return nullptr;
    }
    p.layer_ssrc[layer] = ssrc;
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
    if (i <= c.spec.max_layer) best = p.layer_ssrc[i];
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

void packet_router::on_rtp(transport_id from, std::span<const uint8_t> packet, int64_t now_ms) noexcept {
  const auto t = transports_.find(from);
  if (t == transports_.end() || packet.size() < rtp_fixed_header_size) return;
  auto& counters = t->second.counters;
  ++counters.packets_in;
  counters.bytes_in += packet.size();
  const uint32_t ssrc = read_u32(packet, 8);
  auto* p = find_producer(t->second, from, ssrc, packet);
  if (p == nullptr) return;
  if (!p->spec.enabled) {
    ++counters.packets_dropped_muted;
    return;
  }
  const auto view = rtp_packet_view::parse(packet);
  if (!view) return;
  if (p->spec.audio && p->spec.extensions.audio_level != 0) {
    if (const auto level = view->extension(p->spec.extensions.audio_level); level && !level->empty()) {
      const auto value = static_cast<uint8_t>((*level)[0] & 0x7F);
      if (now_ms - p->recent_level_ms > audio_level_window_ms || value < p->recent_level) p->recent_level = value;
      p->recent_level_ms = now_ms;
    }
  }
  const bool keyframe = p->spec.audio || starts_keyframe(p->spec.codec, view->payload());
  bool needs_keyframe = false;
  for (auto* c : p->consumers) {
    if (c->spec.paused) continue;
    const auto rewritten = c->rewriter.rewrite(ssrc, view->sequence(), view->timestamp(), keyframe, now_ms);
    if (!rewritten) {
      if (!p->spec.audio && c->rewriter.pending_source() == ssrc) needs_keyframe = true;
      continue;
    }
    c->waiting_for_keyframe = false;
    auto scratch = out_.scratch();
    if (packet.size() + 64 > scratch.size()) continue;
    std::memcpy(scratch.data(), packet.data(), packet.size());  // the one copy
    auto out = scratch.first(packet.size());
    write_u16(out, 2, rewritten->sequence);
    write_u32(out, 4, rewritten->timestamp);
    write_u32(out, 8, c->spec.ssrc);
    out[1] = static_cast<uint8_t>((out[1] & 0x80) | (c->spec.payload_type & 0x7F));
    if (view->has_extension()) {
      const auto block = view->extension_block();
      const auto offset = static_cast<size_t>(block.data() - packet.data());
      remap_header_extensions(out.subspan(offset, block.size()), view->extension_profile(), c->extension_map);
    }
    out_.send_rtp_in_place(c->spec.transport, packet.size());
    if (const auto to = transports_.find(c->spec.transport); to != transports_.end()) {
      ++to->second.counters.packets_out;
      to->second.counters.bytes_out += packet.size();
    }
  }
  if (needs_keyframe) request_keyframe(*p, now_ms, false);
}

void packet_router::on_rtcp(transport_id from, std::span<const uint8_t> packet, int64_t now_ms) noexcept {
  const auto t = transports_.find(from);
  if (t == transports_.end()) return;
  rtcp_compound compound(packet);
  while (const auto ref = compound.next()) {
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
