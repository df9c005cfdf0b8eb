// A non-blocking UDP socket that reports each datagram's destination address (IP_PKTINFO).
#pragma once

#include <sys/socket.h>

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

// The socket address for `a`; returns its length.
socklen_t to_sockaddr(const stun_address& a, sockaddr_storage& out) noexcept;
// The address in `in`; false for a family other than IPv4/IPv6.
bool from_sockaddr(const sockaddr_storage& in, stun_address& out) noexcept;
// The local address a received datagram was sent to, from its IP_PKTINFO / IPV6_PKTINFO
// control data (with `port`, the socket's port).
std::optional<stun_address> pktinfo_destination(msghdr& received, uint16_t port) noexcept;
// Writes an IP_PKTINFO / IPV6_PKTINFO control message asking the kernel to send from
// `from` into `control` (aligned for cmsghdr, at least udp_pktinfo_space bytes); returns the
// msg_controllen to use.
size_t write_source_pktinfo(const stun_address& from, std::span<uint8_t> control) noexcept;
constexpr size_t udp_pktinfo_space = 64;

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
  // True when a datagram to send must name its source: the socket is bound to the
  // wildcard address and `from` is of its family.
  [[nodiscard]] bool needs_source(const std::optional<stun_address>& from) const noexcept {
    return wildcard_ && from && from->fam == local_.fam;
  }

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
