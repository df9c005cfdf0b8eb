// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-
// extensions-01): per-packet arrival times the sender's bandwidth estimator runs on.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/parse_result.hpp"

namespace parley::media {

constexpr int64_t twcc_reference_time_unit_us = 64000;
constexpr int64_t twcc_delta_unit_us = 250;

struct twcc_arrival {
  uint16_t sequence = 0;   // transport-wide sequence number from the header extension
  int64_t arrival_us = 0;  // local receive clock
};

struct rtcp_transport_feedback {
  struct received_packet {
    uint16_t sequence = 0;
    int32_t delta_ticks = 0;  // 250 µs units since the previous received packet (or reference time)

    friend bool operator==(const received_packet&, const received_packet&) = default;
  };

  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  uint16_t base_sequence = 0;
  uint16_t packet_status_count = 0;  // packets covered, received or not
  int32_t reference_time = 0;        // signed 24-bit, 64 ms units
  uint8_t feedback_count = 0;        // lets the sender detect lost feedback
  // Only received packets are listed: a 40-byte packet may describe 65535 statuses, so
  // lost ones stay implicit (a sequence in the covered range that is absent here).
  std::vector<received_packet> received;

  [[nodiscard]] static parse_result<rtcp_transport_feedback> parse(std::span<const uint8_t> packet);

  // Packs arrivals (sorted by sequence, oldest first) into one feedback message. Stops
  // early if a gap does not fit a 16-bit delta; packet_status_count then tells how much
  // was taken and the caller sends the rest in the next message.
  [[nodiscard]] static rtcp_transport_feedback from_arrivals(uint32_t sender_ssrc, uint32_t media_ssrc,
                                                             uint8_t feedback_count,
                                                             std::span<const twcc_arrival> arrivals);

  // Absolute receive times (reference time plus running deltas), in microseconds.
  template <typename F>
  void for_each_receive_time(F&& f) const {
    int64_t t = int64_t{reference_time} * twcc_reference_time_unit_us;
    for (const auto& p : received) {
      t += int64_t{p.delta_ticks} * twcc_delta_unit_us;
      f(p.sequence, t);
    }
  }

  [[nodiscard]] std::optional<size_t> write(std::span<uint8_t> out) const;

  friend bool operator==(const rtcp_transport_feedback&, const rtcp_transport_feedback&) = default;
};

}  // namespace parley::media
