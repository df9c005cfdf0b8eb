// Maps an incoming stream that switches among source SSRCs (simulcast layers) onto one
// outgoing SSRC whose sequence numbers and timestamps stay continuous for the receiver.
#pragma once

#include <cstdint>
#include <optional>

namespace parley::media {

struct rtp_rewrite {
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
};

class rtp_stream_rewriter {
 public:
  // clock_rate turns wall-clock time between the last packet of the old source and the
  // keyframe of the new one into a timestamp step.
  explicit rtp_stream_rewriter(uint32_t clock_rate) noexcept : clock_rate_(clock_rate) {}

  // Ask to forward `source_ssrc` from its next keyframe on. Until that keyframe arrives
  // the current source keeps flowing, so the receiver never sees a gap it cannot decode.
  void switch_to(uint32_t source_ssrc) noexcept { target_ssrc_ = source_ssrc; }

  [[nodiscard]] std::optional<uint32_t> current_source() const noexcept { return active_ ? std::optional(source_ssrc_) : std::nullopt; }
  [[nodiscard]] std::optional<uint32_t> pending_source() const noexcept { return target_ssrc_; }

  // Returns the outgoing sequence number and timestamp, or nullopt to drop the packet:
  // it belongs to a source not being forwarded, or precedes the switch point.
  [[nodiscard]] std::optional<rtp_rewrite> rewrite(uint32_t ssrc, uint16_t sequence, uint32_t timestamp,
                                                   bool keyframe, int64_t arrival_ms) noexcept;

 private:
  void start_source(uint32_t ssrc, uint16_t sequence, uint32_t timestamp, int64_t arrival_ms) noexcept;

  uint32_t clock_rate_;
  std::optional<uint32_t> target_ssrc_;
  bool active_ = false;
  uint32_t source_ssrc_ = 0;
  uint16_t switch_sequence_ = 0;  // oldest sequence of the current source still forwarded
  uint16_t highest_in_sequence_ = 0;
  uint16_t sequence_offset_ = 0;  // out = in - offset (mod 2^16)
  uint32_t timestamp_offset_ = 0; // out = in - offset (mod 2^32)
  bool sent_any_ = false;
  uint16_t highest_out_sequence_ = 0;
  uint32_t highest_out_timestamp_ = 0;
  int64_t highest_out_arrival_ms_ = 0;
};

}  // namespace parley::media
