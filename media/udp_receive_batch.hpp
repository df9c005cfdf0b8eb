// Incoming datagrams read with one recvmmsg into preallocated buffers.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/udp_socket.hpp"

namespace parley::media {

// Up to `capacity` datagrams per system call, each with its source and the local address it
// arrived on (so a STUN reply can leave from it). Allocates only in the constructor.
class udp_receive_batch {
 public:
  // Datagrams larger than `datagram_size` are dropped, never delivered cut; each buffer has
  // `buffer_size` (≥ datagram_size) bytes so a caller can grow a packet in place.
  udp_receive_batch(size_t capacity, size_t datagram_size, size_t buffer_size);
  udp_receive_batch(const udp_receive_batch&) = delete;
  udp_receive_batch& operator=(const udp_receive_batch&) = delete;

  // Reads what is waiting, without blocking; returns how many entries were filled (0 when
  // nothing is waiting or on error). An entry whose length() is 0 is to be skipped (a
  // truncated datagram or an unknown address family).
  size_t receive(const udp_socket& socket) noexcept;

  [[nodiscard]] std::span<uint8_t> buffer(size_t i) noexcept { return {data_.data() + i * buffer_size_, buffer_size_}; }
  [[nodiscard]] size_t length(size_t i) const noexcept { return lengths_[i]; }
  [[nodiscard]] const udp_receive_meta& meta(size_t i) const noexcept { return metas_[i]; }
  [[nodiscard]] size_t capacity() const noexcept { return messages_.size(); }

 private:
  struct slot {
    sockaddr_storage from;
    alignas(cmsghdr) uint8_t control[udp_pktinfo_space];
    iovec iov;
  };

  size_t datagram_size_;
  size_t buffer_size_;
  std::vector<uint8_t> data_;
  std::vector<slot> slots_;
  std::vector<mmsghdr> messages_;
  std::vector<size_t> lengths_;
  std::vector<udp_receive_meta> metas_;
};

}  // namespace parley::media
