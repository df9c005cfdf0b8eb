// Outgoing datagrams queued in preallocated slots and sent with one sendmmsg per batch.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/stun_message.hpp"

namespace parley::media {

class udp_socket;

// A media worker forwards one inbound packet to many subscribers; one system call per
// outgoing packet was most of its CPU. This queue holds the protected packets in slots the
// caller writes into directly (so a forwarded packet is still copied only once) and sends
// them together when the worker has nothing more to read, or when every slot is taken.
// Datagrams leave in the order they were queued. Worker thread only; allocates only in the
// constructor.
class udp_send_batch {
 public:
  static constexpr size_t default_capacity = 64;
  // Largest datagram a slot holds: any MTU-sized packet plus the SRTP trailer.
  static constexpr size_t slot_size = 2048 + 160;

  // ::sendmmsg, or a stand-in with its contract (tests use it to see partial sends and
  // EAGAIN). `fd` comes first as in the system call.
  using send_function = int (*)(int fd, mmsghdr* messages, unsigned int count, int flags);

  struct counters {
    uint64_t sent = 0;     // datagrams the kernel accepted
    uint64_t dropped = 0;  // refused (EAGAIN, unreachable address, ...); media tolerates loss
    uint64_t calls = 0;    // send system calls made
  };

  // `socket` must outlive the batch.
  explicit udp_send_batch(const udp_socket& socket, size_t capacity = default_capacity,
                          send_function send = &::sendmmsg);
  udp_send_batch(const udp_send_batch&) = delete;
  udp_send_batch& operator=(const udp_send_batch&) = delete;

  // The free slot the next datagram can be written into (slot_size bytes). If every slot is
  // taken the queue is sent first. Writing here and then calling queue() with a span that
  // starts at this slot costs no copy.
  [[nodiscard]] std::span<uint8_t> next_slot() noexcept;
  // Queues `datagram` for `to`; `from` is the local address it must leave from (a socket
  // bound to the wildcard address sets it per datagram). A datagram already in next_slot()
  // is taken as is, any other is copied into a slot. False if it is larger than a slot.
  bool queue(std::span<const uint8_t> datagram, const stun_address& to,
             const std::optional<stun_address>& from = std::nullopt) noexcept;
  // Sends every queued datagram; returns how many the kernel accepted. A datagram the kernel
  // refuses is dropped and the rest still go; EAGAIN drops what remains (the socket buffer is
  // full, and a media worker never waits for it).
  size_t flush() noexcept;

  [[nodiscard]] size_t queued() const noexcept { return queued_; }
  [[nodiscard]] size_t capacity() const noexcept { return slots_.size(); }
  [[nodiscard]] const counters& stats() const noexcept { return counters_; }

 private:
  struct slot {
    sockaddr_storage to;
    alignas(cmsghdr) uint8_t control[64];
    iovec iov;
    uint8_t* data;
  };

  const udp_socket& socket_;
  send_function send_;
  std::vector<uint8_t> storage_;  // capacity × slot_size
  std::vector<slot> slots_;
  std::vector<mmsghdr> messages_;
  size_t queued_ = 0;
  counters counters_;
};

}  // namespace parley::media
