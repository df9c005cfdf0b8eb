// NTP timestamps (RFC 3550 §4) for the reports the SFU writes, from a millisecond clock.
#pragma once

#include <cstdint>

namespace parley::media {

// 32.32 fixed-point seconds from milliseconds.
[[nodiscard]] constexpr uint64_t ntp_from_ms(int64_t ms) noexcept {
  const auto u = static_cast<uint64_t>(ms);
  return ((u / 1000) << 32) | (((u % 1000) << 32) / 1000);
}

// The middle 32 bits (16.16 seconds): what LSR and DLSR are measured in.
[[nodiscard]] constexpr uint32_t ntp_middle(uint64_t ntp) noexcept { return static_cast<uint32_t>(ntp >> 16); }

// 1/65536 s to milliseconds and back.
[[nodiscard]] constexpr int64_t ntp_short_to_ms(uint32_t units) noexcept {
  return static_cast<int64_t>((static_cast<uint64_t>(units) * 1000) >> 16);
}
[[nodiscard]] constexpr uint32_t ms_to_ntp_short(int64_t ms) noexcept {
  return ms <= 0 ? 0 : static_cast<uint32_t>((static_cast<uint64_t>(ms) << 16) / 1000);
}

}  // namespace parley::media
