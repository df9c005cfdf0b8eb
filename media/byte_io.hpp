// Big-endian reads and writes on byte spans, shared by the media-plane wire parsers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace parley::media {

// Callers check bounds before calling; these helpers only assemble bytes.
[[nodiscard]] constexpr uint16_t read_u16(std::span<const uint8_t> b, size_t at) noexcept {
  return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}

[[nodiscard]] constexpr uint32_t read_u24(std::span<const uint8_t> b, size_t at) noexcept {
  return (static_cast<uint32_t>(b[at]) << 16) | (static_cast<uint32_t>(b[at + 1]) << 8) |
         static_cast<uint32_t>(b[at + 2]);
}

[[nodiscard]] constexpr uint32_t read_u32(std::span<const uint8_t> b, size_t at) noexcept {
  return (static_cast<uint32_t>(b[at]) << 24) | (static_cast<uint32_t>(b[at + 1]) << 16) |
         (static_cast<uint32_t>(b[at + 2]) << 8) | static_cast<uint32_t>(b[at + 3]);
}

[[nodiscard]] constexpr uint64_t read_u64(std::span<const uint8_t> b, size_t at) noexcept {
  return (static_cast<uint64_t>(read_u32(b, at)) << 32) | read_u32(b, at + 4);
}

constexpr void write_u16(std::span<uint8_t> b, size_t at, uint16_t v) noexcept {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

constexpr void write_u24(std::span<uint8_t> b, size_t at, uint32_t v) noexcept {
  b[at] = static_cast<uint8_t>(v >> 16);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
  b[at + 2] = static_cast<uint8_t>(v);
}

constexpr void write_u32(std::span<uint8_t> b, size_t at, uint32_t v) noexcept {
  b[at] = static_cast<uint8_t>(v >> 24);
  b[at + 1] = static_cast<uint8_t>(v >> 16);
  b[at + 2] = static_cast<uint8_t>(v >> 8);
  b[at + 3] = static_cast<uint8_t>(v);
}

constexpr void write_u64(std::span<uint8_t> b, size_t at, uint64_t v) noexcept {
  write_u32(b, at, static_cast<uint32_t>(v >> 32));
  write_u32(b, at + 4, static_cast<uint32_t>(v));
}

// RFC 1982 serial-number comparison: true when a comes after b modulo 2^16.
[[nodiscard]] constexpr bool seq_newer(uint16_t a, uint16_t b) noexcept {
  return a != b && static_cast<uint16_t>(a - b) < 0x8000;
}

[[nodiscard]] constexpr bool ts_newer(uint32_t a, uint32_t b) noexcept {
  return a != b && static_cast<uint32_t>(a - b) < 0x80000000u;
}

}  // namespace parley::media
