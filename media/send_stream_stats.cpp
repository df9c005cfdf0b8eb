// Outgoing stream counters and the subscriber's view of them.
#include "media/send_stream_stats.hpp"

#include "media/ntp_time.hpp"

namespace parley::media {

void send_stream_stats::on_sent(size_t bytes, uint32_t rtp_timestamp, int64_t now_ms) noexcept {
  ++packets_;
  octets_ += static_cast<uint32_t>(bytes);
  last_timestamp_ = rtp_timestamp;
  last_sent_ms_ = now_ms;
}

void send_stream_stats::on_report(const rtcp_report_block& block, uint64_t now_ntp, uint32_t clock_rate,
                                  int64_t now_ms) noexcept {
  last_report_ms_ = now_ms;
  fraction_lost_ = block.fraction_lost / 256.0;
  cumulative_lost_ = block.cumulative_lost;
  jitter_ms_ = clock_rate == 0 ? 0 : block.jitter * 1000.0 / clock_rate;
  if (block.last_sr == 0) return;  // no SR of ours has reached the subscriber yet
  // RFC 3550 §6.4.1: RTT = A - LSR - DLSR, in 1/65536 s; a negative one is clock noise.
  const uint32_t rtt = ntp_middle(now_ntp) - block.last_sr - block.delay_since_last_sr;
  if (rtt < 0x80000000u) rtt_ms_ = ntp_short_to_ms(rtt);
}

}  // namespace parley::media
