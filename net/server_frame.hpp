// The header of a WebSocket frame a server sends (RFC 6455 §5.2): final, binary, unmasked.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace parley::net {

struct server_frame_header {
  std::array<uint8_t, 10> bytes{};
  std::size_t size = 0;
};

/// FIN + opcode 2 (binary), then the payload length in 7 bits, or 126 + 16 bits, or 127 + 64 bits (big-endian).
inline server_frame_header binary_frame_header(std::size_t payload_size) {
  server_frame_header h;
  h.bytes[0] = 0x82;
  if (payload_size < 126) {
    h.bytes[1] = static_cast<uint8_t>(payload_size);
    h.size = 2;
  } else if (payload_size <= 0xffff) {
    h.bytes[1] = 126;
    h.bytes[2] = static_cast<uint8_t>(payload_size >> 8);
    h.bytes[3] = static_cast<uint8_t>(payload_size);
    h.size = 4;
  } else {
    h.bytes[1] = 127;
    auto n = static_cast<uint64_t>(payload_size);
    for (int i = 0; i < 8; ++i)
      h.bytes[static_cast<std::size_t>(2 + i)] = static_cast<uint8_t>(n >> (8 * (7 - i)));
    h.size = 10;
  }
  return h;
}

} // namespace parley::net
