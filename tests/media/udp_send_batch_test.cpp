// The send queue over real loopback sockets: order, in-place slots, refused datagrams, EAGAIN.
#include "media/udp_send_batch.hpp"

#include <poll.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <vector>

#include "media/udp_receive_batch.hpp"
#include "media/udp_socket.hpp"

using namespace parley::media;

namespace {

std::vector<uint8_t> numbered(uint32_t n, size_t size = 100) {
  std::vector<uint8_t> d(size, static_cast<uint8_t>(n));
  std::memcpy(d.data(), &n, sizeof n);
  return d;
}

// Everything that arrives on `socket` until `expected` datagrams came or 10 s passed.
std::vector<std::vector<uint8_t>> receive_until(const udp_socket& socket, size_t expected) {
  udp_receive_batch batch(16, 2048, 2048);
  std::vector<std::vector<uint8_t>> got;
  for (int waited = 0; got.size() < expected && waited < 100;) {
    pollfd p{socket.fd(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) {
      ++waited;
      continue;
    }
    const size_t n = batch.receive(socket);
    for (size_t i = 0; i < n; ++i) {
      if (batch.length(i) == 0) continue;
      const auto b = batch.buffer(i).first(batch.length(i));
      got.emplace_back(b.begin(), b.end());
    }
  }
  return got;
}

// Stand-ins with sendmmsg's contract, wrapping the real call.
int refuse_after = -1;  // calls left before EAGAIN; -1 never
int eagain_after_some(int fd, mmsghdr* messages, unsigned int count, int flags) {
  if (refuse_after == 0) {
    errno = EAGAIN;
    return -1;
  }
  if (refuse_after > 0) --refuse_after;
  return ::sendmmsg(fd, messages, count, flags);
}
int one_at_a_time(int fd, mmsghdr* messages, unsigned int count, int flags) {
  return ::sendmmsg(fd, messages, count > 0 ? 1 : 0, flags);
}

}  // namespace

TEST_CASE("udp_send_batch: every datagram arrives, in the order queued, with few system calls") {
  auto sender = udp_socket::bind("127.0.0.1", 0);
  auto receiver = udp_socket::bind("127.0.0.1", 0);
  REQUIRE(sender);
  REQUIRE(receiver);
  udp_send_batch batch(*sender, 8);
  for (uint32_t i = 0; i < 50; ++i) REQUIRE(batch.queue(numbered(i), receiver->local_address()));
  CHECK(batch.queued() == 50 % 8);  // full queues went out on their own
  CHECK(batch.flush() == 50 % 8);
  CHECK(batch.queued() == 0);
  const auto got = receive_until(*receiver, 50);
  REQUIRE(got.size() == 50);
  for (uint32_t i = 0; i < 50; ++i) CHECK(got[i] == numbered(i));
  CHECK(batch.stats().sent == 50);
  CHECK(batch.stats().dropped == 0);
  CHECK(batch.stats().calls == 7);  // 6 full batches + the rest
}

TEST_CASE("udp_send_batch: a datagram written into the next slot is sent as written") {
  auto sender = udp_socket::bind("127.0.0.1", 0);
  auto receiver = udp_socket::bind("127.0.0.1", 0);
  REQUIRE(sender);
  REQUIRE(receiver);
  udp_send_batch batch(*sender, 4);
  for (uint32_t i = 0; i < 6; ++i) {
    auto slot = batch.next_slot();
    REQUIRE(slot.size() == udp_send_batch::slot_size);
    const auto d = numbered(i, 1200 + i);
    std::memcpy(slot.data(), d.data(), d.size());
    REQUIRE(batch.queue(slot.first(d.size()), receiver->local_address()));
  }
  batch.flush();
  const auto got = receive_until(*receiver, 6);
  REQUIRE(got.size() == 6);
  for (uint32_t i = 0; i < 6; ++i) CHECK(got[i] == numbered(i, 1200 + i));
}

TEST_CASE("udp_send_batch: a datagram the kernel refuses is dropped and the rest still go") {
  auto sender = udp_socket::bind("127.0.0.1", 0);
  auto receiver = udp_socket::bind("127.0.0.1", 0);
  REQUIRE(sender);
  REQUIRE(receiver);
  auto nowhere = receiver->local_address();
  nowhere.port = 0;  // UDP refuses destination port 0 (EINVAL) mid-batch
  udp_send_batch batch(*sender, 8);
  REQUIRE(batch.queue(numbered(1), receiver->local_address()));
  REQUIRE(batch.queue(numbered(2), nowhere));
  REQUIRE(batch.queue(numbered(3), receiver->local_address()));
  REQUIRE(batch.queue(numbered(4), nowhere));
  REQUIRE(batch.queue(numbered(5), receiver->local_address()));
  CHECK(batch.flush() == 3);
  CHECK(batch.stats().dropped == 2);
  const auto got = receive_until(*receiver, 3);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == numbered(1));
  CHECK(got[1] == numbered(3));
  CHECK(got[2] == numbered(5));
}

TEST_CASE("udp_send_batch: a short count from sendmmsg sends the remainder next") {
  auto sender = udp_socket::bind("127.0.0.1", 0);
  auto receiver = udp_socket::bind("127.0.0.1", 0);
  REQUIRE(sender);
  REQUIRE(receiver);
  udp_send_batch batch(*sender, 8, &one_at_a_time);
  for (uint32_t i = 0; i < 5; ++i) REQUIRE(batch.queue(numbered(i), receiver->local_address()));
  CHECK(batch.flush() == 5);
  const auto got = receive_until(*receiver, 5);
  REQUIRE(got.size() == 5);
  for (uint32_t i = 0; i < 5; ++i) CHECK(got[i] == numbered(i));
}

TEST_CASE("udp_send_batch: EAGAIN drops what is left and the queue keeps working") {
  auto sender = udp_socket::bind("127.0.0.1", 0);
  auto receiver = udp_socket::bind("127.0.0.1", 0);
  REQUIRE(sender);
  REQUIRE(receiver);
  udp_send_batch batch(*sender, 4, &eagain_after_some);
  refuse_after = 1;  // the first full batch goes, then the socket buffer is "full"
  for (uint32_t i = 0; i < 6; ++i) REQUIRE(batch.queue(numbered(i), receiver->local_address()));
  CHECK(batch.flush() == 0);
  CHECK(batch.queued() == 0);
  CHECK(batch.stats().dropped == 2);
  refuse_after = -1;
  REQUIRE(batch.queue(numbered(9), receiver->local_address()));
  CHECK(batch.flush() == 1);
  const auto got = receive_until(*receiver, 5);
  REQUIRE(got.size() == 5);
  for (uint32_t i = 0; i < 4; ++i) CHECK(got[i] == numbered(i));
  CHECK(got[4] == numbered(9));
}

TEST_CASE("udp_send_batch: a datagram larger than a slot is refused") {
  auto sender = udp_socket::bind("127.0.0.1", 0);
  REQUIRE(sender);
  udp_send_batch batch(*sender, 4);
  const std::vector<uint8_t> huge(udp_send_batch::slot_size + 1, 7);
  CHECK_FALSE(batch.queue(huge, sender->local_address()));
  CHECK(batch.queued() == 0);
  CHECK(batch.stats().dropped == 1);
}

TEST_CASE("udp_receive_batch: reads several datagrams at once, with the address each arrived on") {
  auto sender = udp_socket::bind("127.0.0.1", 0);
  auto receiver = udp_socket::bind("127.0.0.1", 0);
  REQUIRE(sender);
  REQUIRE(receiver);
  for (uint32_t i = 0; i < 3; ++i) REQUIRE(sender->send(numbered(i), receiver->local_address()));
  REQUIRE(sender->send(std::vector<uint8_t>(600, 1), receiver->local_address()));  // too large below
  REQUIRE(sender->send(numbered(3), receiver->local_address()));
  udp_receive_batch batch(8, 500, 600);
  size_t total = 0;
  std::vector<std::vector<uint8_t>> got;
  for (int tries = 0; total < 5 && tries < 100; ++tries) {
    pollfd p{receiver->fd(), POLLIN, 0};
    (void)::poll(&p, 1, 100);
    const size_t n = batch.receive(*receiver);
    for (size_t i = 0; i < n; ++i) {
      ++total;
      CHECK(batch.buffer(i).size() == 600);
      if (batch.length(i) == 0) continue;  // the truncated one
      CHECK(batch.meta(i).source == sender->local_address());
      REQUIRE(batch.meta(i).destination);
      CHECK(ip_to_string(*batch.meta(i).destination) == "127.0.0.1");
      const auto b = batch.buffer(i).first(batch.length(i));
      got.emplace_back(b.begin(), b.end());
    }
  }
  CHECK(total == 5);
  REQUIRE(got.size() == 4);
  for (uint32_t i = 0; i < 4; ++i) CHECK(got[i] == numbered(i));
  CHECK(batch.receive(*receiver) == 0);  // nothing waiting: returns at once
}
