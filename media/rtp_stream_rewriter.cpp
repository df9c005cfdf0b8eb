// Sequence and timestamp continuity across simulcast layer switches.
#include "media/rtp_stream_rewriter.hpp"

#include "media/byte_io.hpp"

namespace parley::media {

void rtp_stream_rewriter::start_source(uint32_t ssrc, uint16_t sequence, uint32_t timestamp,
                                       int64_t arrival_ms) noexcept {
  uint16_t out_sequence = 0;
  uint32_t out_timestamp = 0;
  if (sent_any_) {
    out_sequence = static_cast<uint16_t>(highest_out_sequence_ + 1);
    // Advance by the time that really passed, at least one tick, so the receiver's
    // jitter buffer neither stalls nor sees a frame in the past.
    const int64_t elapsed_ms = arrival_ms > highest_out_arrival_ms_ ? arrival_ms - highest_out_arrival_ms_ : 0;
    const auto step = static_cast<uint32_t>(elapsed_ms * clock_rate_ / 1000);
    out_timestamp = highest_out_timestamp_ + (step == 0 ? 1 : step);
  } else {
    out_sequence = sequence;
    out_timestamp = timestamp;
  }
  source_ssrc_ = ssrc;
  active_ = true;
  switch_sequence_ = sequence;
  highest_in_sequence_ = sequence;
  sequence_offset_ = static_cast<uint16_t>(sequence - out_sequence);
  timestamp_offset_ = timestamp - out_timestamp;
}

std::optional<rtp_rewrite> rtp_stream_rewriter::rewrite(uint32_t ssrc, uint16_t sequence, uint32_t timestamp,
                                                        bool keyframe, int64_t arrival_ms) noexcept {
  if (target_ssrc_ && ssrc == *target_ssrc_ && keyframe && (!active_ || ssrc != source_ssrc_ || !sent_any_)) {
    start_source(ssrc, sequence, timestamp, arrival_ms);
    target_ssrc_.reset();
  } else if (target_ssrc_ && active_ && ssrc == source_ssrc_ && *target_ssrc_ == source_ssrc_) {
    target_ssrc_.reset();  // asked to switch to what we already forward
  }
  if (!active_ || ssrc != source_ssrc_) return std::nullopt;
  // Older than the switch point: its output sequence would collide with the old source's.
  if (sequence != switch_sequence_ && !seq_newer(sequence, switch_sequence_)) return std::nullopt;

  if (seq_newer(sequence, highest_in_sequence_)) highest_in_sequence_ = sequence;
  // The floor trails the newest packet so serial comparison keeps working over any
  // length of stream; a packet a quarter of the sequence space late is useless anyway.
  constexpr uint16_t max_lateness = 0x4000;
  if (static_cast<uint16_t>(highest_in_sequence_ - switch_sequence_) > max_lateness)
    switch_sequence_ = static_cast<uint16_t>(highest_in_sequence_ - max_lateness);

  rtp_rewrite out{static_cast<uint16_t>(sequence - sequence_offset_), timestamp - timestamp_offset_};
  if (!sent_any_ || seq_newer(out.sequence, highest_out_sequence_)) {
    highest_out_sequence_ = out.sequence;
    highest_out_arrival_ms_ = arrival_ms;
  }
  if (!sent_any_ || ts_newer(out.timestamp, highest_out_timestamp_)) highest_out_timestamp_ = out.timestamp;
  sent_any_ = true;
  return out;
}

}  // namespace parley::media
