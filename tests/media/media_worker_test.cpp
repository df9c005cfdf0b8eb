// Loopback test: a client built from project parts talks ICE-lite, DTLS and SRTP to a media worker.
#include "media/media_worker.hpp"

#include <poll.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "media/dtls_transport.hpp"
#include "media/srtp_session.hpp"
#include "media/udp_socket.hpp"

using namespace parley::media;
using namespace std::chrono_literals;

namespace {

// Server side: records events and echoes each RTP packet back with its payload's first
// byte changed, so the client can tell the echo from its own packet.
struct echo_listener final : media_worker::listener {
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<srtp_profile> connected;
  std::optional<transport_close_reason> closed;
  std::vector<uint8_t> last_rtp;
  std::vector<uint8_t> last_rtcp;
  std::atomic<media_worker*> worker{nullptr};

  void on_transport_connected(transport_id, srtp_profile p) override {
    std::lock_guard lock(mutex);
    connected = p;
    changed.notify_all();
  }
  void on_transport_closed(transport_id, transport_close_reason r) override {
    std::lock_guard lock(mutex);
    closed = r;
    changed.notify_all();
  }
  void on_rtp(transport_id id, std::span<const uint8_t> packet) override {
    std::vector<uint8_t> echo(packet.begin(), packet.end());
    echo[12] = 'S';
    (void)worker.load()->send_rtp(id, echo);
    std::lock_guard lock(mutex);
    last_rtp.assign(packet.begin(), packet.end());
    changed.notify_all();
  }
  void on_rtcp(transport_id, std::span<const uint8_t> packet) override {
    std::lock_guard lock(mutex);
    last_rtcp.assign(packet.begin(), packet.end());
    changed.notify_all();
  }

  template <typename Predicate>
  bool wait_for(Predicate p) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 5s, p);
  }
};

std::optional<size_t> receive_within(udp_socket& s, std::span<uint8_t> buf, udp_receive_meta& meta,
                                     std::chrono::milliseconds timeout) {
  pollfd p{s.fd(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  return s.receive(buf, meta);
}

std::span<const uint8_t> bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// The client's own DTLS endpoint sends through its UDP socket.
struct client_dtls final : dtls_transport::listener {
  udp_socket* socket = nullptr;
  stun_address server;
  std::optional<srtp_keying_material> keys;
  std::optional<dtls_close_reason> closed;
  void on_dtls_send(std::span<const uint8_t> d) override { (void)socket->send(d, server); }
  void on_dtls_connected(const srtp_keying_material& k) override { keys = k; }
  void on_dtls_closed(dtls_close_reason r) override { closed = r; }
};

size_t build_check(std::span<uint8_t> out, const stun_transaction_id& id, const std::string& username,
                   std::string_view password) {
  stun_message_writer w(out, stun_message_type(stun_method::binding, stun_class::request), id);
  w.add_username(username);
  w.add_priority(0x7e7f00ff);
  w.add_ice_controlling(42);
  w.add_use_candidate();
  w.add_message_integrity(bytes_of(password));
  w.add_fingerprint();
  return w.finish().value_or(0);
}

}  // namespace

TEST_CASE("an RTP packet crosses a media worker in both directions over loopback", "[worker]") {
  echo_listener events;
  int error = 0;
  auto worker = media_worker::start({"127.0.0.1", 0}, events, &error);
  REQUIRE(worker);
  events.worker = worker.get();
  CHECK(worker->local_address().port != 0);

  const auto client_cert = dtls_certificate::generate("load-client");
  REQUIRE(client_cert);
  const auto info = worker->create_transport({client_cert->fingerprint(), "cliU", dtls_role::server});
  REQUIRE(info);
  CHECK(info->candidate_ip == "127.0.0.1");
  CHECK(info->candidate_port == worker->local_address().port);
  CHECK(info->fingerprint == worker->fingerprint());
  CHECK(info->ice_password.size() >= 22);
  CHECK_FALSE(worker->create_transport({"sha-256 nonsense", "", dtls_role::server}));

  auto sock = udp_socket::bind("127.0.0.1", 0);
  REQUIRE(sock);
  const auto server = parse_ip_address(info->candidate_ip, info->candidate_port);
  REQUIRE(server);
  std::array<uint8_t, 2048> buf{};
  udp_receive_meta meta;

  // A check under the wrong password gets no answer at all.
  const stun_transaction_id bad_id{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
  const size_t bad_len = build_check(buf, bad_id, info->ice_ufrag + ":cliU", "not-the-password-at-all!");
  REQUIRE(sock->send(std::span(buf).first(bad_len), *server));
  CHECK_FALSE(receive_within(*sock, buf, meta, 200ms));

  // ICE: the worker answers with our own address, signed with its password.
  const stun_transaction_id id{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::optional<stun_message> reply;
  std::vector<uint8_t> reply_bytes;
  for (int attempt = 0; attempt < 10 && !reply; ++attempt) {
    const size_t len = build_check(buf, id, info->ice_ufrag + ":cliU", info->ice_password);
    REQUIRE(sock->send(std::span(buf).first(len), *server));
    if (const auto n = receive_within(*sock, buf, meta, 200ms)) {
      reply_bytes.assign(buf.begin(), buf.begin() + static_cast<long>(*n));
      auto parsed = stun_message::parse(reply_bytes);
      if (parsed) reply = *parsed;
    }
  }
  REQUIRE(reply);
  CHECK(meta.source == *server);  // the answer leaves from the address we sent to
  CHECK(reply->message_class() == stun_class::success_response);
  CHECK(reply->xor_mapped_address() == sock->local_address());
  CHECK(reply->verify_message_integrity(bytes_of(info->ice_password)));
  CHECK(reply->verify_fingerprint());

  // DTLS: our client against the worker's server, pinned both ways by fingerprint.
  auto client_ctx = dtls_context::create(*client_cert);
  REQUIRE(client_ctx);
  client_dtls client_events;
  client_events.socket = &*sock;
  client_events.server = *server;
  auto dtls = dtls_transport::create(*client_ctx, dtls_role::client, client_events);
  REQUIRE(dtls);
  REQUIRE(dtls->set_remote_fingerprint(info->fingerprint));
  const std::array chrome_offer{srtp_profile::aead_aes_128_gcm, srtp_profile::aes_cm_128_hmac_sha1_80};
  REQUIRE(dtls->set_srtp_profiles(chrome_offer));
  dtls->start();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (dtls->state() == dtls_state::connecting && std::chrono::steady_clock::now() < deadline) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(dtls->next_timeout().value_or(50ms));
    if (const auto n = receive_within(*sock, buf, meta, std::max(wait, 1ms))) {
      if (buf[0] >= 20 && buf[0] <= 63) dtls->feed(std::span(buf).first(*n));
    } else {
      dtls->handle_timeout();
    }
  }
  REQUIRE(dtls->state() == dtls_state::connected);
  REQUIRE(client_events.keys);
  CHECK(client_events.keys->profile == srtp_profile::aead_aes_128_gcm);
  REQUIRE(events.wait_for([&] { return events.connected.has_value(); }));
  CHECK(events.connected == srtp_profile::aead_aes_128_gcm);

  // SRTP, client to worker and back.
  auto out = srtp_session::create(srtp_session::direction::outbound, client_events.keys->profile,
                                  client_events.keys->local_master());
  auto in = srtp_session::create(srtp_session::direction::inbound, client_events.keys->profile,
                                 client_events.keys->remote_master());
  REQUIRE(out);
  REQUIRE(in);
  const std::vector<uint8_t> rtp = {0x80, 111, 0x12, 0x34, 0, 0, 0, 160, 0xCA, 0xFE, 0xBA, 0xBE, 'C', 'l', 'i', 'e',
                                    'n',  't'};
  std::copy(rtp.begin(), rtp.end(), buf.begin());
  size_t len = rtp.size();
  REQUIRE(out->protect_rtp(buf, len) == srtp_status::ok);
  REQUIRE(sock->send(std::span(buf).first(len), *server));

  REQUIRE(events.wait_for([&] { return !events.last_rtp.empty(); }));
  {
    std::lock_guard lock(events.mutex);
    CHECK(events.last_rtp == rtp);  // the worker decrypted exactly what we sent
  }
  std::optional<size_t> echoed;
  for (int i = 0; i < 10 && !echoed; ++i) {
    const auto n = receive_within(*sock, buf, meta, 200ms);
    if (n && buf[0] >= 128 && buf[0] <= 191) echoed = n;
  }
  REQUIRE(echoed);
  size_t echo_len = *echoed;
  REQUIRE(in->unprotect_rtp(buf, echo_len) == srtp_status::ok);
  auto expected = rtp;
  expected[12] = 'S';
  CHECK(std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<long>(echo_len)) == expected);

  // RTCP takes the same path and is told apart by packet type.
  const std::vector<uint8_t> rr = {0x80, 201, 0, 1, 0xCA, 0xFE, 0xBA, 0xBE};
  std::copy(rr.begin(), rr.end(), buf.begin());
  len = rr.size();
  REQUIRE(out->protect_rtcp(buf, len) == srtp_status::ok);
  REQUIRE(sock->send(std::span(buf).first(len), *server));
  REQUIRE(events.wait_for([&] { return !events.last_rtcp.empty(); }));
  {
    std::lock_guard lock(events.mutex);
    CHECK(events.last_rtcp == rr);
  }

  // A tampered packet is dropped, not delivered: the next packet to arrive is the good
  // one sent after it (loopback keeps order).
  {
    std::lock_guard lock(events.mutex);
    events.last_rtp.clear();
  }
  auto send_rtp_seq = [&](uint8_t seq_low, bool tamper) {
    std::copy(rtp.begin(), rtp.end(), buf.begin());
    buf[3] = seq_low;
    size_t n = rtp.size();
    REQUIRE(out->protect_rtp(buf, n) == srtp_status::ok);
    if (tamper) buf[n - 1] ^= 1;
    REQUIRE(sock->send(std::span(buf).first(n), *server));
  };
  send_rtp_seq(0x35, true);
  send_rtp_seq(0x36, false);
  REQUIRE(events.wait_for([&] { return !events.last_rtp.empty(); }));
  {
    std::lock_guard lock(events.mutex);
    CHECK(events.last_rtp[3] == 0x36);
  }

  // Closing DTLS from the client ends the transport on the worker.
  dtls->close();
  REQUIRE(events.wait_for([&] { return events.closed.has_value(); }));
  CHECK(events.closed == transport_close_reason::dtls_close_notify);
}
