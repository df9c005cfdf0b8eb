// Reception statistics of one incoming RTP stream (RFC 3550 appendix A.1, A.3, A.8): what
// the SFU's receiver reports tell a publisher (loss, jitter, last SR and its delay), and
// the publisher's clock mapping from its sender reports.
#pragma once

#include <cstdint>

#include "media/rtcp_report_block.hpp"

namespace parley::media {

class receive_stream_stats {
 public:
  explicit receive_stream_stats(uint32_t clock_rate = 90000) noexcept : clock_rate_(clock_rate) {}
  void set_clock_rate(uint32_t clock_rate) noexcept { clock_rate_ = clock_rate == 0 ? 90000 : clock_rate; }

  // A media packet; `retransmitted` ones count as received but say nothing of jitter.
  void on_packet(uint16_t sequence, uint32_t rtp_timestamp, size_t bytes, bool retransmitted, int64_t now_ms) noexcept;
  void on_sender_report(uint64_t ntp, uint32_t rtp_timestamp, int64_t now_ms) noexcept;

  // The report block for `ssrc` at `now_ms`; the fraction lost covers the time since the
  // previous call (so call it once per report).
  [[nodiscard]] rtcp_report_block make_report(uint32_t ssrc, int64_t now_ms) noexcept;

  [[nodiscard]] bool started() const noexcept { return started_; }
  [[nodiscard]] uint64_t packets() const noexcept { return received_; }
  [[nodiscard]] uint64_t bytes() const noexcept { return bytes_; }
  [[nodiscard]] uint64_t expected() const noexcept;
  [[nodiscard]] int64_t lost() const noexcept;
  [[nodiscard]] double jitter_ms() const noexcept;
  [[nodiscard]] uint8_t last_fraction_lost() const noexcept { return last_fraction_lost_; }
  // Expected and lost packets in the interval the last report covered.
  [[nodiscard]] uint64_t interval_expected() const noexcept { return interval_expected_; }
  [[nodiscard]] uint64_t interval_lost() const noexcept { return interval_lost_; }

  // The publisher's last sender report: its RTP timestamp, and when it arrived here.
  [[nodiscard]] bool has_sender_report() const noexcept { return sr_arrival_ms_ >= 0; }
  [[nodiscard]] uint32_t sender_report_rtp() const noexcept { return sr_rtp_; }
  [[nodiscard]] int64_t sender_report_arrival_ms() const noexcept { return sr_arrival_ms_; }
  // The publisher's RTP clock now, extrapolated from its last sender report.
  [[nodiscard]] uint32_t rtp_at(int64_t now_ms) const noexcept;

 private:
  uint32_t clock_rate_;
  bool started_ = false;
  uint16_t base_sequence_ = 0;
  uint16_t max_sequence_ = 0;
  uint32_t cycles_ = 0;  // count of wraps, << 16
  uint64_t received_ = 0;
  uint64_t bytes_ = 0;
  uint64_t expected_prior_ = 0;
  uint64_t received_prior_ = 0;
  uint64_t interval_expected_ = 0;
  uint64_t interval_lost_ = 0;
  uint8_t last_fraction_lost_ = 0;
  bool have_transit_ = false;
  int64_t transit_ = 0;
  int64_t jitter_q4_ = 0;  // RTP timestamp units, times 16 (A.8)
  uint64_t sr_ntp_ = 0;
  uint32_t sr_rtp_ = 0;
  int64_t sr_arrival_ms_ = -1;
};

}  // namespace parley::media
