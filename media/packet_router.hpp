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

#include "media/rtp_extension_remap.hpp"
#include "media/rtp_stream_rewriter.hpp"
#include "media/srtp_profile.hpp"
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
  uint64_t keyframe_requests = 0;
};

class packet_router {
 public:
  explicit packet_router(packet_output& out) : out_(out) {}

  // Control commands (worker thread).
  void add_transport(transport_id id);
  void remove_transport(transport_id id);
  void set_producer(const producer_spec& spec);
  void remove_producer(uint64_t id);
  void set_consumer(const consumer_spec& spec);
  void remove_consumer(uint64_t id);
  void set_producer_enabled(uint64_t id, bool enabled);

  // Packets (worker thread). `now_ms` is a monotonic clock in milliseconds.
  void on_rtp(transport_id from, std::span<const uint8_t> packet, int64_t now_ms) noexcept;
  void on_rtcp(transport_id from, std::span<const uint8_t> packet, int64_t now_ms) noexcept;

  [[nodiscard]] const transport_counters* counters(transport_id id) const noexcept;
  // The loudest enabled audio producer over the last interval (RFC 6464 levels), if any.
  [[nodiscard]] std::optional<uint64_t> loudest_producer(int64_t now_ms) const noexcept;

 private:
  struct consumer_state;
  struct producer_state {
    producer_spec spec;
    std::array<uint32_t, 3> layer_ssrc{};  // learnt from rid; 0 = not seen yet
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
    explicit consumer_state(const consumer_spec& s, uint32_t clock_rate) : spec(s), rewriter(clock_rate) {}
  };
  struct transport_state {
    transport_counters counters;
    std::unordered_map<uint32_t, producer_state*> producer_by_ssrc;
    std::unordered_map<uint32_t, consumer_state*> consumer_by_ssrc;
  };

  void attach(consumer_state& c);
  void detach(consumer_state& c);
  void rebuild_extension_map(consumer_state& c) const;
  [[nodiscard]] producer_state* find_producer(transport_state& t, transport_id from, uint32_t ssrc,
                                              const std::span<const uint8_t> packet) noexcept;
  [[nodiscard]] uint32_t wanted_source(const producer_state& p, const consumer_state& c) const noexcept;
  void request_keyframe(producer_state& p, int64_t now_ms, bool force) noexcept;
  void forward(producer_state& p, consumer_state& c, std::span<const uint8_t> packet, uint32_t ssrc, uint16_t sequence,
               uint32_t timestamp, bool keyframe, int64_t now_ms) noexcept;

  packet_output& out_;
  std::unordered_map<transport_id, transport_state> transports_;
  std::unordered_map<uint64_t, std::unique_ptr<producer_state>> producers_;
  std::unordered_map<uint64_t, std::unique_ptr<consumer_state>> consumers_;
};

}  // namespace parley::media
