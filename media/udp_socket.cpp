// Linux UDP socket I/O with recvmsg/sendmsg and IP_PKTINFO / IPV6_PKTINFO control data.
#include "media/udp_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace parley::media {
namespace {

// Room for either pktinfo kind.
constexpr size_t control_size = std::max(CMSG_SPACE(sizeof(in_pktinfo)), CMSG_SPACE(sizeof(in6_pktinfo)));

static_assert(control_size <= udp_pktinfo_space);

}  // namespace

socklen_t to_sockaddr(const stun_address& a, sockaddr_storage& out) noexcept {
  std::memset(&out, 0, sizeof out);
  if (a.fam == stun_address::family::ipv4) {
    auto* s = reinterpret_cast<sockaddr_in*>(&out);
    s->sin_family = AF_INET;
    s->sin_port = htons(a.port);
    std::memcpy(&s->sin_addr, a.address.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* s = reinterpret_cast<sockaddr_in6*>(&out);
  s->sin6_family = AF_INET6;
  s->sin6_port = htons(a.port);
  std::memcpy(&s->sin6_addr, a.address.data(), 16);
  return sizeof(sockaddr_in6);
}

bool from_sockaddr(const sockaddr_storage& in, stun_address& a) noexcept {
  a = stun_address{};
  if (in.ss_family == AF_INET) {
    const auto* s = reinterpret_cast<const sockaddr_in*>(&in);
    a.fam = stun_address::family::ipv4;
    std::memcpy(a.address.data(), &s->sin_addr, 4);
    a.port = ntohs(s->sin_port);
    return true;
  }
  if (in.ss_family == AF_INET6) {
    const auto* s = reinterpret_cast<const sockaddr_in6*>(&in);
    a.fam = stun_address::family::ipv6;
    std::memcpy(a.address.data(), &s->sin6_addr, 16);
    a.port = ntohs(s->sin6_port);
    return true;
  }
  return false;
}

std::optional<stun_address> pktinfo_destination(msghdr& msg, uint16_t port) noexcept {
  std::optional<stun_address> destination;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    stun_address dst;
    dst.port = port;
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      dst.fam = stun_address::family::ipv4;
      std::memcpy(dst.address.data(), &info.ipi_addr, 4);
      destination = dst;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      dst.fam = stun_address::family::ipv6;
      std::memcpy(dst.address.data(), &info.ipi6_addr, 16);
      destination = dst;
    }
  }
  return destination;
}

size_t write_source_pktinfo(const stun_address& from, std::span<uint8_t> control) noexcept {
  std::fill(control.begin(), control.end(), uint8_t{0});
  cmsghdr* c = reinterpret_cast<cmsghdr*>(control.data());
  if (from.fam == stun_address::family::ipv4) {
    in_pktinfo info{};
    std::memcpy(&info.ipi_spec_dst, from.address.data(), 4);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    return CMSG_SPACE(sizeof info);
  }
  in6_pktinfo info{};
  std::memcpy(&info.ipi6_addr, from.address.data(), 16);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof info);
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
  return CMSG_SPACE(sizeof info);
}

std::optional<stun_address> parse_ip_address(std::string_view ip, uint16_t port) noexcept {
  char text[INET6_ADDRSTRLEN] = {};
  if (ip.size() >= sizeof text) return std::nullopt;
  std::memcpy(text, ip.data(), ip.size());
  stun_address a;
  a.port = port;
  if (inet_pton(AF_INET, text, a.address.data()) == 1) {
    a.fam = stun_address::family::ipv4;
    return a;
  }
  if (inet_pton(AF_INET6, text, a.address.data()) == 1) {
    a.fam = stun_address::family::ipv6;
    return a;
  }
  return std::nullopt;
}

std::string ip_to_string(const stun_address& a) {
  char text[INET6_ADDRSTRLEN] = {};
  const int af = a.fam == stun_address::family::ipv4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, a.address.data(), text, sizeof text) == nullptr) return {};
  return text;
}

std::optional<udp_socket> udp_socket::bind(std::string_view ip, uint16_t port, int* error) noexcept {
  auto fail = [error](int fd) -> std::optional<udp_socket> {
    if (error != nullptr) *error = errno;
    if (fd >= 0) ::close(fd);
    return std::nullopt;
  };
  const auto addr = parse_ip_address(ip, port);
  if (!addr) {
    errno = EINVAL;
    return fail(-1);
  }
  const bool v4 = addr->fam == stun_address::family::ipv4;
  const int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(fd);
  const int on = 1;
  if (v4) {
    if (::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) != 0) return fail(fd);
  } else {
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) != 0) return fail(fd);
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) return fail(fd);
  }
  // Media bursts (a keyframe is dozens of packets) overflow the default ~200 KB buffer.
  const int buffer_size = 4 * 1024 * 1024;
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_size, sizeof buffer_size);
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_size, sizeof buffer_size);
  sockaddr_storage ss{};
  const socklen_t len = to_sockaddr(*addr, ss);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) return fail(fd);
  socklen_t got = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &got) != 0) return fail(fd);
  stun_address local;
  if (!from_sockaddr(ss, local)) return fail(fd);
  const bool wildcard = std::all_of(addr->address.begin(), addr->address.end(), [](uint8_t b) { return b == 0; });
  return udp_socket(fd, local, wildcard);
}

udp_socket::udp_socket(udp_socket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), local_(other.local_), wildcard_(other.wildcard_) {}

udp_socket& udp_socket::operator=(udp_socket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = other.local_;
    wildcard_ = other.wildcard_;
  }
  return *this;
}

udp_socket::~udp_socket() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<size_t> udp_socket::receive(std::span<uint8_t> buffer, udp_receive_meta& meta) noexcept {
  for (;;) {
    sockaddr_storage from{};
    alignas(cmsghdr) uint8_t control[control_size];
    iovec iov{buffer.data(), buffer.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd_, &msg, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;  // EAGAIN, or an ICMP error surfaced on the socket: nothing to read
    }
    if ((msg.msg_flags & MSG_TRUNC) != 0) continue;
    if (!from_sockaddr(from, meta.source)) continue;
    meta.destination = pktinfo_destination(msg, local_.port);
    return static_cast<size_t>(n);
  }
}

bool udp_socket::send(std::span<const uint8_t> datagram, const stun_address& to,
                      const std::optional<stun_address>& from) noexcept {
  sockaddr_storage dst{};
  const socklen_t dst_len = to_sockaddr(to, dst);
  iovec iov{const_cast<uint8_t*>(datagram.data()), datagram.size()};
  msghdr msg{};
  msg.msg_name = &dst;
  msg.msg_namelen = dst_len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) uint8_t control[udp_pktinfo_space];
  // Only a wildcard-bound socket needs to be told its source; a bound one has just one.
  if (needs_source(from)) {
    msg.msg_control = control;
    msg.msg_controllen = write_source_pktinfo(*from, control);
  }
  for (;;) {
    const ssize_t n = ::sendmsg(fd_, &msg, 0);
    if (n >= 0) return static_cast<size_t>(n) == datagram.size();
    if (errno != EINTR) return false;  // EAGAIN drops the packet: media is loss-tolerant
  }
}

}  // namespace parley::media
