// The receive side of transport-wide congestion control (draft-holmer-rmcat-transport-
// wide-cc-extensions-01): remembers when each transport-wide sequence number arrived and
// turns what arrived since the last feedback into transport-cc RTCP messages, from which
// the sender's delay-based estimator (Chromium's send-side BWE) works out its rate.
//
// A fixed ring indexed by sequence number: recording an arrival allocates nothing, late
// (reordered) packets land in their own slot and are reported in sequence order, and the
// 16-bit sequence is unwrapped so a wrap is just the next number.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/rtcp_header.hpp"
#include "media/rtcp_transport_feedback.hpp"

namespace parley::media {

class transport_feedback_builder {
 public:
  // Sequence numbers held between two feedbacks: far more than 100 ms carries at any rate a
  // browser sends. An arrival further ahead than this drops the oldest unreported ones.
  static constexpr size_t window = 4096;
  // Bounds on one message, so every feedback fits one datagram (under 1200 bytes with the
  // SRTCP trailer): at most 2 bytes of chunks per 7 statuses plus 2 bytes per delta.
  static constexpr size_t max_statuses_per_feedback = 2048;
  static constexpr size_t max_received_per_feedback = 256;
  static constexpr size_t max_feedback_bytes =
      rtcp_feedback_header_size + 8 + 2 * ((max_statuses_per_feedback + 6) / 7) + 2 * max_received_per_feedback + 3;

  transport_feedback_builder();

  // One RTP packet carrying transport-wide sequence `sequence` arrived at `arrival_us`.
  void on_packet(uint16_t sequence, int64_t arrival_us) noexcept;

  // Whether an arrival is waiting to be reported.
  [[nodiscard]] bool pending() const noexcept { return started_ && next_unreported_ <= highest_; }

  // Writes the next feedback message into `out` (at least max_feedback_bytes) and returns
  // its size, or 0 when nothing is waiting. Call until it returns 0: each call covers the
  // oldest unreported sequence numbers, missing ones reported as lost.
  [[nodiscard]] size_t write_next(uint32_t sender_ssrc, uint32_t media_ssrc, std::span<uint8_t> out);

  // The feedback count the next message will carry (8 bits, wraps).
  [[nodiscard]] uint8_t feedback_count() const noexcept { return feedback_count_; }

 private:
  static constexpr int64_t not_received = INT64_MIN;
  [[nodiscard]] int64_t& slot(int64_t unwrapped) noexcept {
    return arrivals_[static_cast<size_t>(unwrapped) & (window - 1)];
  }

  std::vector<int64_t> arrivals_;  // arrival time per sequence slot, or not_received
  bool started_ = false;
  int64_t highest_ = 0;          // highest sequence received, unwrapped
  int64_t next_unreported_ = 0;  // first sequence not yet covered by a feedback, unwrapped
  uint8_t feedback_count_ = 0;
  rtcp_transport_feedback message_;  // reused: its list keeps its capacity
};

}  // namespace parley::media
