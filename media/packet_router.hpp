// The per-packet half of the SFU: worker-owned tables of producers and consumers, and the
// routing of each received RTP/RTCP packet to the subscribed transports. Runs on one media
// worker thread; the control plane changes it only through commands run on that thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "media/bandwidth_estimator.hpp"
#include "media/nack_generator.hpp"
#include "media/receive_stream_stats.hpp"
#include "media/retransmission_cache.hpp"
#include "media/rtp_extension_remap.hpp"
#include "media/rtp_packet.hpp"
#include "media/rtp_stream_rewriter.hpp"
#include "media/send_stream_stats.hpp"
#include "media/sent_packet_map.hpp"
#include "media/srtp_profile.hpp"
#include "media/transport_feedback_builder.hpp"
#include "media/transport_send_history.hpp"
#include "media/video_keyframe.hpp"
#include "media/webrtc_transport.hpp"

namespace parley::media {

// Negotiated header-extension ids of one side (0: not negotiated).
struct rtp_extension_ids {
  uint8_t mid = 0;
  uint8_t rid = 0;
  uint8_t repaired_rid = 0;
  uint8_t audio_level = 0;
  uint8_t abs_send_time = 0;
  uint8_t transport_cc = 0;
};

// One published track as the worker sees it.
struct producer_spec {
  uint64_t id = 0;
  transport_id transport = 0;
  bool audio = false;
  video_codec codec = video_codec::other;
  uint8_t payload_type = 0;  // the publisher's payload type of the chosen codec
  uint32_t clock_rate = 90000;
  std::vector<uint32_t> ssrcs;    // announced SSRCs (a=ssrc) of the media, not RTX
  std::string mid;                // packets without a known SSRC are matched by mid
  std::vector<std::string> rids;  // simulcast layers, lowest first
  rtp_extension_ids extensions;   // the publisher's ids
  bool enabled = true;            // false drops every packet (host or self mute)
  bool paused = false;            // true drops every packet (a screen share the host paused)
  uint8_t rtx_payload_type = 0;   // RFC 4588 retransmissions the publisher sends (0: none)
  std::vector<uint32_t> rtx_ssrcs;  // announced RTX SSRCs (FID groups), rtx_ssrcs[i] repairs ssrcs[i]
};

// One subscription: a producer forwarded to one transport under its own SSRC.
struct consumer_spec {
  uint64_t id = 0;
  uint64_t producer = 0;
  transport_id transport = 0;
  uint32_t ssrc = 0;
  uint8_t payload_type = 0;      // the subscriber's payload type for the codec
  rtp_extension_ids extensions;  // the subscriber's ids
  bool paused = false;           // a video the subscriber does not show
  uint8_t max_layer = 2;         // highest simulcast layer wanted
  uint8_t rtx_payload_type = 0;  // the subscriber's RTX type: retransmissions go as RTX
  uint32_t rtx_ssrc = 0;         // (both 0: retransmissions reuse the media SSRC)
};

// Where forwarded packets go (the media worker, or a test's recorder).
class packet_output {
 public:
  // Room for one packet plus the SRTP trailer.
  [[nodiscard]] virtual std::span<uint8_t> scratch() noexcept = 0;
  virtual void send_rtp_in_place(transport_id to, size_t length) noexcept = 0;
  virtual void send_rtcp(transport_id to, std::span<const uint8_t> packet) noexcept = 0;

 protected:
  ~packet_output() = default;
};

// Counters per transport, read by the stats query.
struct transport_counters {
  uint64_t packets_in = 0;
  uint64_t bytes_in = 0;
  uint64_t packets_out = 0;
  uint64_t bytes_out = 0;
  uint64_t packets_dropped_muted = 0;
  uint64_t packets_dropped_paused = 0;  // screen shares while the host pauses sharing
  uint64_t keyframe_requests = 0;
  uint64_t nacks_received = 0;           // NACK packets from this transport's subscriptions
  uint64_t packets_retransmitted = 0;    // answered from the retransmission cache
  uint64_t retransmissions_limited = 0;  // requested but held back by the rate limit
  uint64_t nacks_sent = 0;               // NACK packets to this transport's publications
  uint64_t packets_repaired = 0;         // missing packets that arrived after a NACK
  // Quality figures, refreshed by on_tick (about once a second). Loss is a fraction (0-1).
  uint64_t bitrate_in_bps = 0;
  uint64_t bitrate_out_bps = 0;
  double loss_in = 0;        // of the packets this transport sent us, over the last interval
  double loss_out = 0;       // the worst loss its receiver reports give for what we send it
  double jitter_in_ms = 0;   // worst interarrival jitter of the streams it sends us
  double jitter_out_ms = 0;  // worst jitter its receiver reports give
  int64_t rtt_ms = -1;       // from its receiver reports of our sender reports; -1: not known yet
  uint64_t send_estimate_bps = 0;     // send-side estimate of its downlink (0: no reports yet)
  uint64_t receive_estimate_bps = 0;  // what we tell it to send (REMB; 0: it publishes no video)
  uint64_t transport_feedback_sent = 0;  // transport-cc feedback messages to this publisher
  uint64_t transport_feedback_received = 0;  // transport-cc feedback from this subscriber
  int64_t queue_delay_ms = 0;                // queueing its transport-cc feedback shows
};

class packet_router {
 public:
  explicit packet_router(packet_output& out);

  // Control commands (worker thread).
  void add_transport(transport_id id);
  void remove_transport(transport_id id);
  void set_producer(const producer_spec& spec);
  void remove_producer(uint64_t id);
  void set_consumer(const consumer_spec& spec);
  void remove_consumer(uint64_t id);
  void set_producer_enabled(uint64_t id, bool enabled);
  void set_producer_paused(uint64_t id, bool paused);

  // Packets (worker thread). `now_ms` is a monotonic clock in milliseconds; `arrival_us`,
  // the same clock in microseconds when known, times transport-wide sequence numbers.
  void on_rtp(transport_id from, std::span<const uint8_t> packet, int64_t now_ms, int64_t arrival_us = -1) noexcept;
  void on_rtcp(transport_id from, std::span<const uint8_t> packet, int64_t now_ms) noexcept;
  // Periodic work (about once a second): receiver reports and REMB to publishers, sender
  // reports to subscribers, quality figures, and the bandwidth-driven layer choice.
  void on_tick(int64_t now_ms) noexcept;

  // The SFU's NTP clock (RFC 3550) at `now_ms` of the monotonic clock.
  [[nodiscard]] uint64_t ntp_at(int64_t now_ms) const noexcept;

  [[nodiscard]] const transport_counters* counters(transport_id id) const noexcept;
  template <typename F>
  void for_each_transport(F&& f) const {
    for (const auto& [id, t] : transports_) f(id, t.counters);
  }
  // The loudest enabled audio producer over the last interval (RFC 6464 levels), if any.
  [[nodiscard]] std::optional<uint64_t> loudest_producer(int64_t now_ms) const noexcept;

 private:
  struct consumer_state;
  static constexpr size_t max_layers = 3;
  struct layer_state {
    std::unique_ptr<retransmission_cache> cache;  // video only, made when the layer appears
    nack_generator nacks;
    receive_stream_stats stats;
    uint64_t bytes_at_tick = 0;
    uint64_t bitrate_bps = 0;
  };
  struct producer_state {
    producer_spec spec;
    std::array<uint32_t, max_layers> layer_ssrc{};  // learnt from rid; 0 = not seen yet
    std::array<uint32_t, max_layers> rtx_ssrc{};    // learnt from repaired-rid or FID
    std::array<layer_state, max_layers> layers;
    std::vector<consumer_state*> consumers;
    int64_t last_keyframe_request_ms = -1'000'000;
    // Audio level: lower is louder (0 = 0 dBov, 127 = silence).
    uint8_t recent_level = 127;
    int64_t recent_level_ms = -1'000'000;
  };
  struct consumer_state {
    consumer_spec spec;
    producer_state* producer = nullptr;
    rtp_stream_rewriter rewriter;
    rtp_extension_id_map extension_map{};
    bool waiting_for_keyframe = true;
    sent_packet_map sent;
    send_stream_stats sent_stats;
    uint8_t estimate_layer = 2;  // the layer the subscriber's bandwidth estimate allows
    // The mapping of the source being forwarded (out = in - offset), for NACKs of packets
    // that never went out.
    bool mapped = false;
    uint8_t current_layer = 0;
    uint16_t sequence_offset = 0;
    uint32_t timestamp_offset = 0;
    uint16_t rtx_sequence = 0;
    // Retransmission rate limit: a token bucket in thousandths of a packet.
    int64_t retransmit_tokens = 0;
    int64_t retransmit_refill_ms = 0;
    explicit consumer_state(const consumer_spec& s, uint32_t clock_rate, bool video)
        : spec(s), rewriter(clock_rate), sent(video ? 1024 : 1) {}
  };
  struct transport_state {
    transport_counters counters;
    std::unordered_map<uint32_t, producer_state*> producer_by_ssrc;
    std::unordered_map<uint32_t, consumer_state*> consumer_by_ssrc;
    uint64_t bytes_in_at_tick = 0;
    uint64_t bytes_out_at_tick = 0;
    int64_t last_tick_ms = -1;
    uint64_t tick_expected = 0;  // incoming packets expected and lost over the interval
    uint64_t tick_lost = 0;
    double tick_jitter_ms = 0;
    bool has_video_in = false;
    bandwidth_estimator send_estimate;     // for what we send it
    bandwidth_estimator receive_estimate;  // for what it sends us (REMB)
    int64_t last_estimated_report_ms = -1;
    // Transport-wide congestion control of what it sends us (made when a publication
    // negotiates the extension): arrivals, and the feedback they become.
    uint8_t transport_cc_id = 0;
    std::unique_ptr<transport_feedback_builder> arrivals;
    uint32_t feedback_media_ssrc = 0;
    int64_t last_feedback_ms = -1'000'000;
    // Transport-wide numbers and send times of what we send it (made when a subscription
    // negotiates the extension), for the delay signal of its feedback.
    std::unique_ptr<transport_send_history> sent_history;
  };

  void attach(consumer_state& c);
  void detach(consumer_state& c);
  void rebuild_extension_map(consumer_state& c) const;
  [[nodiscard]] producer_state* find_producer(transport_state& t, transport_id from, uint32_t ssrc,
                                              const std::span<const uint8_t> packet) noexcept;
  [[nodiscard]] uint32_t wanted_source(const producer_state& p, const consumer_state& c) const noexcept;
  void request_keyframe(producer_state& p, int64_t now_ms, bool force) noexcept;
  [[nodiscard]] static int layer_of(const producer_state& p, uint32_t ssrc) noexcept;
  [[nodiscard]] static int rtx_layer_of(const producer_state& p, uint32_t ssrc) noexcept;
  void ensure_layer(producer_state& p, size_t layer);
  void on_media(transport_state& t, producer_state& p, size_t layer, std::span<const uint8_t> packet,
                const rtp_packet_view& view, bool repaired, int64_t now_ms) noexcept;
  void send_due_nacks(producer_state& p, size_t layer, int64_t now_ms) noexcept;
  void on_transport_sequence(transport_state& t, transport_id from, std::span<const uint8_t> packet, int64_t now_ms,
                             int64_t arrival_us) noexcept;
  void send_transport_feedback(transport_state& t, transport_id to, int64_t now_ms) noexcept;
  void stamp_transport_sequence(const consumer_state& c, std::span<uint8_t> out, std::span<const uint8_t> packet,
                                const rtp_packet_view& view) noexcept;
  void on_subscriber_transport_feedback(transport_state& t, std::span<const uint8_t> packet, int64_t now_ms) noexcept;
  void share_estimate(transport_state& t) noexcept;
  // Writes the subscriber's view of a source packet into the scratch buffer and sends it.
  void send_rewritten(consumer_state& c, std::span<const uint8_t> packet, const rtp_packet_view& view,
                      uint16_t sequence, uint32_t timestamp, bool as_rtx) noexcept;
  void on_subscriber_nack(transport_state& t, std::span<const uint8_t> packet, int64_t now_ms) noexcept;
  [[nodiscard]] bool take_retransmit_token(consumer_state& c, int64_t now_ms) noexcept;
  void on_report_blocks(transport_state& t, std::span<const uint8_t> blocks, size_t count, int64_t now_ms) noexcept;
  void on_sender_report(transport_state& t, std::span<const uint8_t> packet, int64_t now_ms) noexcept;
  void report_to_publisher(producer_state& p, int64_t elapsed_ms, int64_t now_ms) noexcept;
  void report_to_subscriber(consumer_state& c, int64_t now_ms) noexcept;
  void estimate_subscriber(transport_state& t, int64_t now_ms) noexcept;
  void apply_layer_limit(consumer_state& c) noexcept;

  packet_output& out_;
  int64_t ntp_offset_ms_ = 0;  // wall clock (since 1900) minus the monotonic clock
  std::array<uint8_t, 1600> rtx_unwrap_{};  // an RTX packet turned back into the original
  int64_t now_us_ = 0;  // the time of the packet being handled: send time of what it makes us send
  std::vector<delay_sample> delay_samples_;  // one subscriber feedback's delays (keeps its capacity)
  std::unordered_map<transport_id, transport_state> transports_;
  std::unordered_map<uint64_t, std::unique_ptr<producer_state>> producers_;
  std::unordered_map<uint64_t, std::unique_ptr<consumer_state>> consumers_;
};

}  // namespace parley::media
