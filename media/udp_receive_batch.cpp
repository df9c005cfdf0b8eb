// recvmmsg with IP_PKTINFO / IPV6_PKTINFO control data per datagram.
#include "media/udp_receive_batch.hpp"

#include <algorithm>
#include <cerrno>

namespace parley::media {

udp_receive_batch::udp_receive_batch(size_t capacity, size_t datagram_size, size_t buffer_size)
    : datagram_size_(datagram_size),
      buffer_size_(std::max(buffer_size, datagram_size)),
      data_(std::max<size_t>(capacity, 1) * buffer_size_),
      slots_(std::max<size_t>(capacity, 1)),
      messages_(std::max<size_t>(capacity, 1)),
      lengths_(std::max<size_t>(capacity, 1)),
      metas_(std::max<size_t>(capacity, 1)) {}

size_t udp_receive_batch::receive(const udp_socket& socket) noexcept {
  for (size_t i = 0; i < messages_.size(); ++i) {
    slot& s = slots_[i];
    s.iov.iov_base = data_.data() + i * buffer_size_;
    s.iov.iov_len = datagram_size_;
    mmsghdr& m = messages_[i];
    m = mmsghdr{};
    m.msg_hdr.msg_name = &s.from;
    m.msg_hdr.msg_namelen = sizeof s.from;
    m.msg_hdr.msg_iov = &s.iov;
    m.msg_hdr.msg_iovlen = 1;
    m.msg_hdr.msg_control = s.control;
    m.msg_hdr.msg_controllen = sizeof s.control;
  }
  int n = -1;
  do {
    n = ::recvmmsg(socket.fd(), messages_.data(), static_cast<unsigned int>(messages_.size()), MSG_DONTWAIT,
                   nullptr);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return 0;  // EAGAIN, or an ICMP error surfaced on the socket: nothing to read
  const auto count = static_cast<size_t>(n);
  for (size_t i = 0; i < count; ++i) {
    mmsghdr& m = messages_[i];
    lengths_[i] = 0;
    if ((m.msg_hdr.msg_flags & MSG_TRUNC) != 0) continue;
    if (!from_sockaddr(slots_[i].from, metas_[i].source)) continue;
    metas_[i].destination = pktinfo_destination(m.msg_hdr, socket.local_address().port);
    lengths_[i] = m.msg_len;
  }
  return count;
}

}  // namespace parley::media
