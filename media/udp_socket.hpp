// A non-blocking UDP socket that reports each datagram's destination address (IP_PKTINFO).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "media/stun_message.hpp"

namespace parley::media {

// "127.0.0.1" / "::1" plus port into the address type the STUN code already uses.
[[nodiscard]] std::optional<stun_address> parse_ip_address(std::string_view ip, uint16_t port) noexcept;
// Dotted or RFC 5952 text of the IP only.
[[nodiscard]] std::string ip_to_string(const stun_address& address);

struct udp_receive_meta {
  stun_address source;
  // The local address the datagram was sent to; replies must leave from it (an ICE-lite
  // peer that answers from another address fails the check).
  std::optional<stun_address> destination;
};

class udp_socket {
 public:
  // Binds to the announced address (not the wildcard, so replies leave from it even
  // without IP_PKTINFO); port 0 picks an ephemeral port. Nullopt with errno in `error`.
  [[nodiscard]] static std::optional<udp_socket> bind(std::string_view ip, uint16_t port,
                                                      int* error = nullptr) noexcept;

  udp_socket(udp_socket&& other) noexcept;
  udp_socket& operator=(udp_socket&& other) noexcept;
  udp_socket(const udp_socket&) = delete;
  udp_socket& operator=(const udp_socket&) = delete;
  ~udp_socket();

  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] const stun_address& local_address() const noexcept { return local_; }

  // One datagram, or nullopt when none is waiting (or on error). Datagrams larger than
  // `buffer` are dropped, never delivered cut.
  [[nodiscard]] std::optional<size_t> receive(std::span<uint8_t> buffer, udp_receive_meta& meta) noexcept;
  // `from`, if given and the socket is bound to a wildcard, sets the source address.
  bool send(std::span<const uint8_t> datagram, const stun_address& to,
            const std::optional<stun_address>& from = std::nullopt) noexcept;

 private:
  udp_socket(int fd, const stun_address& local, bool wildcard) noexcept
      : fd_(fd), local_(local), wildcard_(wildcard) {}

  int fd_ = -1;
  stun_address local_;
  bool wildcard_ = false;
};

}  // namespace parley::media
