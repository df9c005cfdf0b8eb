// RFC 3550 reception statistics.
#include "media/receive_stream_stats.hpp"

#include <algorithm>
#include <cstdlib>

#include "media/byte_io.hpp"
#include "media/ntp_time.hpp"

namespace parley::media {

void receive_stream_stats::on_packet(uint16_t sequence, uint32_t rtp_timestamp, size_t bytes, bool retransmitted,
                                     int64_t now_ms) noexcept {
  if (!started_) {
    started_ = true;
    base_sequence_ = sequence;
    max_sequence_ = sequence;
  } else if (seq_newer(sequence, max_sequence_)) {
    if (sequence < max_sequence_) cycles_ += 1u << 16;
    max_sequence_ = sequence;
  }
  ++received_;
  bytes_ += bytes;
  if (retransmitted) return;
  // Interarrival jitter in RTP units: J += (|D| - J) / 16.
  const int64_t arrival = now_ms * static_cast<int64_t>(clock_rate_) / 1000;
  const int64_t transit = arrival - static_cast<int64_t>(rtp_timestamp);
  if (have_transit_) {
    int64_t d = transit - transit_;
    // The RTP timestamp is 32-bit: a wrapped difference is a small one.
    d = static_cast<int32_t>(static_cast<uint32_t>(d));
    jitter_q4_ += std::abs(d) - ((jitter_q4_ + 8) >> 4);
  }
  transit_ = transit;
  have_transit_ = true;
}

void receive_stream_stats::on_sender_report(uint64_t ntp, uint32_t rtp_timestamp, int64_t now_ms) noexcept {
  sr_ntp_ = ntp;
  sr_rtp_ = rtp_timestamp;
  sr_arrival_ms_ = now_ms;
}

uint64_t receive_stream_stats::expected() const noexcept {
  if (!started_) return 0;
  return static_cast<uint64_t>(cycles_) + max_sequence_ - base_sequence_ + 1;
}

int64_t receive_stream_stats::lost() const noexcept {
  return static_cast<int64_t>(expected()) - static_cast<int64_t>(received_);
}

double receive_stream_stats::jitter_ms() const noexcept {
  return static_cast<double>(jitter_q4_ >> 4) * 1000.0 / clock_rate_;
}

uint32_t receive_stream_stats::rtp_at(int64_t now_ms) const noexcept {
  const int64_t elapsed = std::max<int64_t>(0, now_ms - sr_arrival_ms_);
  return sr_rtp_ + static_cast<uint32_t>(elapsed * clock_rate_ / 1000);
}

rtcp_report_block receive_stream_stats::make_report(uint32_t ssrc, int64_t now_ms) noexcept {
  rtcp_report_block b;
  b.ssrc = ssrc;
  const uint64_t exp = expected();
  interval_expected_ = exp - expected_prior_;
  const uint64_t received_interval = received_ - received_prior_;
  expected_prior_ = exp;
  received_prior_ = received_;
  interval_lost_ = interval_expected_ > received_interval ? interval_expected_ - received_interval : 0;
  last_fraction_lost_ =
      interval_expected_ == 0 ? 0 : static_cast<uint8_t>(std::min<uint64_t>(255, (interval_lost_ << 8) / interval_expected_));
  b.fraction_lost = last_fraction_lost_;
  b.cumulative_lost = static_cast<int32_t>(std::clamp<int64_t>(lost(), -0x800000, 0x7FFFFF));
  b.highest_sequence = cycles_ + max_sequence_;
  b.jitter = static_cast<uint32_t>(jitter_q4_ >> 4);
  if (sr_arrival_ms_ >= 0) {
    b.last_sr = ntp_middle(sr_ntp_);
    b.delay_since_last_sr = ms_to_ntp_short(now_ms - sr_arrival_ms_);
  }
  return b;
}

}  // namespace parley::media
