// Statistics of one outgoing RTP stream: what the SFU's sender reports say (packet and
// octet counts, the RTP clock) and what the subscriber's receiver reports say back (loss,
// jitter, and the round-trip time from LSR/DLSR).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "media/rtcp_report_block.hpp"

namespace parley::media {

class send_stream_stats {
 public:
  void on_sent(size_t bytes, uint32_t rtp_timestamp, int64_t now_ms) noexcept;
  // `now_ntp` is the SFU's NTP clock when the report arrived.
  void on_report(const rtcp_report_block& block, uint64_t now_ntp, uint32_t clock_rate, int64_t now_ms) noexcept;

  [[nodiscard]] uint32_t packets() const noexcept { return packets_; }
  [[nodiscard]] uint32_t octets() const noexcept { return octets_; }
  [[nodiscard]] bool sent_any() const noexcept { return packets_ != 0; }
  [[nodiscard]] uint32_t last_timestamp() const noexcept { return last_timestamp_; }
  [[nodiscard]] int64_t last_sent_ms() const noexcept { return last_sent_ms_; }

  [[nodiscard]] bool has_report() const noexcept { return last_report_ms_ >= 0; }
  [[nodiscard]] int64_t last_report_ms() const noexcept { return last_report_ms_; }
  [[nodiscard]] double fraction_lost() const noexcept { return fraction_lost_; }
  [[nodiscard]] int32_t cumulative_lost() const noexcept { return cumulative_lost_; }
  [[nodiscard]] double jitter_ms() const noexcept { return jitter_ms_; }
  [[nodiscard]] std::optional<int64_t> rtt_ms() const noexcept { return rtt_ms_; }

 private:
  uint32_t packets_ = 0;  // 32-bit on the wire: they wrap, as RFC 3550 expects
  uint32_t octets_ = 0;
  uint32_t last_timestamp_ = 0;
  int64_t last_sent_ms_ = 0;
  int64_t last_report_ms_ = -1;
  double fraction_lost_ = 0;
  int32_t cumulative_lost_ = 0;
  double jitter_ms_ = 0;
  std::optional<int64_t> rtt_ms_;
};

}  // namespace parley::media
