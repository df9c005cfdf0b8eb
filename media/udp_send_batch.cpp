// sendmmsg batching: slots filled in place, sent in order, partial sends and EAGAIN handled.
#include "media/udp_send_batch.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "media/udp_socket.hpp"

namespace parley::media {

udp_send_batch::udp_send_batch(const udp_socket& socket, size_t capacity, send_function send)
    : socket_(socket),
      send_(send),
      storage_(std::max<size_t>(capacity, 1) * slot_size),
      slots_(std::max<size_t>(capacity, 1)),
      messages_(std::max<size_t>(capacity, 1)) {
  for (size_t i = 0; i < slots_.size(); ++i) slots_[i].data = storage_.data() + i * slot_size;
}

std::span<uint8_t> udp_send_batch::next_slot() noexcept {
  if (queued_ == slots_.size()) flush();
  return {slots_[queued_].data, slot_size};
}

bool udp_send_batch::queue(std::span<const uint8_t> datagram, const stun_address& to,
                           const std::optional<stun_address>& from) noexcept {
  if (datagram.size() > slot_size) {
    ++counters_.dropped;
    return false;
  }
  // next_slot() flushes when full, so a datagram written into the slot it returned is
  // always the one at queued_.
  const auto target = next_slot();
  if (!datagram.empty() && datagram.data() != target.data())
    std::memmove(target.data(), datagram.data(), datagram.size());
  slot& s = slots_[queued_];
  s.iov.iov_base = s.data;
  s.iov.iov_len = datagram.size();
  mmsghdr& m = messages_[queued_];
  m = mmsghdr{};
  m.msg_hdr.msg_name = &s.to;
  m.msg_hdr.msg_namelen = to_sockaddr(to, s.to);
  m.msg_hdr.msg_iov = &s.iov;
  m.msg_hdr.msg_iovlen = 1;
  if (socket_.needs_source(from)) {
    m.msg_hdr.msg_control = s.control;
    m.msg_hdr.msg_controllen = write_source_pktinfo(*from, s.control);
  }
  ++queued_;
  return true;
}

size_t udp_send_batch::flush() noexcept {
  size_t done = 0;
  size_t accepted = 0;
  while (done < queued_) {
    const int n = send_(socket_.fd(), messages_.data() + done, static_cast<unsigned int>(queued_ - done), 0);
    ++counters_.calls;
    if (n > 0) {
      done += static_cast<size_t>(n);
      accepted += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      counters_.dropped += queued_ - done;
      break;
    }
    // sendmmsg reports an error only for the first datagram it tried (it returns the count
    // sent before a later one failed): that datagram is dropped, the rest still go.
    ++counters_.dropped;
    ++done;
  }
  counters_.sent += accepted;
  queued_ = 0;
  return accepted;
}

}  // namespace parley::media
