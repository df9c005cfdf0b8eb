// Generic NACK (RFC 4585 §6.2.1): receivers ask for lost packets; the SFU both answers
// them from its retransmission cache and sends them upstream.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/parse_result.hpp"

namespace parley::media {

struct rtcp_nack_item {
  uint16_t packet_id = 0;       // PID: the first lost sequence number
  uint16_t lost_bitmask = 0;    // BLP: bit i set means PID + i + 1 was lost too

  friend bool operator==(const rtcp_nack_item&, const rtcp_nack_item&) = default;
};

struct rtcp_nack {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  std::vector<rtcp_nack_item> items;

  [[nodiscard]] static parse_result<rtcp_nack> parse(std::span<const uint8_t> packet);

  // Packs sequence numbers given in sending order (wrapping allowed) into PID+BLP items.
  [[nodiscard]] static rtcp_nack from_sequences(uint32_t sender_ssrc, uint32_t media_ssrc,
                                                std::span<const uint16_t> sequences);

  // Every sequence number the items name, in order, without allocating.
  template <typename F>
  void for_each_sequence(F&& f) const {
    for (const auto& item : items) {
      f(item.packet_id);
      for (int bit = 0; bit < 16; ++bit)
        if ((item.lost_bitmask >> bit) & 1) f(static_cast<uint16_t>(item.packet_id + bit + 1));
    }
  }
  [[nodiscard]] std::vector<uint16_t> sequences() const;

  // The forwarding path's encoder: packs sequence numbers (in sending order) straight into
  // `out` without building items; nullopt if none are given or `out` is too small.
  [[nodiscard]] static std::optional<size_t> write_sequences(uint32_t sender_ssrc, uint32_t media_ssrc,
                                                             std::span<const uint16_t> sequences,
                                                             std::span<uint8_t> out) noexcept;
  // Calls f(sequence) for every sequence number an FCI names, without allocating.
  template <typename F>
  static void for_each_sequence_in(std::span<const uint8_t> fci, F&& f) {
    for (size_t at = 0; at + 4 <= fci.size(); at += 4) {
      const auto pid = static_cast<uint16_t>((fci[at] << 8) | fci[at + 1]);
      const auto blp = static_cast<uint16_t>((fci[at + 2] << 8) | fci[at + 3]);
      f(pid);
      for (int bit = 0; bit < 16; ++bit)
        if ((blp >> bit) & 1) f(static_cast<uint16_t>(pid + bit + 1));
    }
  }

  [[nodiscard]] size_t size() const noexcept;
  [[nodiscard]] std::optional<size_t> write(std::span<uint8_t> out) const noexcept;

  friend bool operator==(const rtcp_nack&, const rtcp_nack&) = default;
};

}  // namespace parley::media
