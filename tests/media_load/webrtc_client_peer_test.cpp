// The load client's ICE/DTLS/SRTP engine against parleyd's own media worker over loopback:
// it must connect, get AEAD_AES_256_GCM (it offers it first, the server prefers it), and its
// synthetic VP8 packets must cross in both directions.
#include "benchmarks/media/webrtc_client_peer.hpp"

#include <arpa/inet.h>
#include <poll.h>

#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "benchmarks/media/synthetic_vp8_stream.hpp"
#include "media/dtls_context.hpp"
#include "media/media_worker.hpp"
#include "media/rtp_packet.hpp"

using namespace parley;
using namespace parley::bench;
using namespace std::chrono_literals;

namespace {

// The server side: records what arrives and echoes every RTP packet to the sender.
struct echo_server final : media::media_worker::listener {
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<media::srtp_profile> connected;
  size_t rtp_packets = 0;
  size_t keyframes = 0;
  media::media_worker* worker = nullptr;

  void on_transport_connected(media::transport_id, media::srtp_profile p) override {
    std::lock_guard lock(mutex);
    connected = p;
    changed.notify_all();
  }
  void on_transport_closed(media::transport_id, media::transport_close_reason) override {}
  void on_rtp(media::transport_id id, std::span<const uint8_t> packet) override {
    // Count before echoing: the test reads these counts once the client has the echoes.
    const auto view = media::rtp_packet_view::parse(packet);
    {
      std::lock_guard lock(mutex);
      ++rtp_packets;
      if (view && vp8_payload_starts_keyframe(view->payload()))
        ++keyframes;
    }
    changed.notify_all();
    (void)worker->send_rtp(id, packet);
  }
  void on_rtcp(media::transport_id, std::span<const uint8_t>) override {}
};

// Serves the client's socket and timers until `done` or the deadline.
template <typename Done>
bool pump(webrtc_client_peer& peer, Done done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline || peer.current_state() == webrtc_client_peer::state::failed)
      return false;
    pollfd p{peer.fd(), POLLIN, 0};
    ::poll(&p, 1, 10);
    const auto now = std::chrono::steady_clock::now();
    if ((p.revents & POLLIN) != 0)
      peer.on_readable(now);
    peer.on_tick(now);
  }
  return true;
}

} // namespace

TEST_CASE("the load client gets AES-256-GCM from the parleyd media worker and its VP8 packets cross it", "[peer]") {
  REQUIRE(media::ensure_srtp_initialized());
  echo_server server;
  int error = 0;
  auto worker = media::media_worker::start({"127.0.0.1", 0}, server, &error);
  REQUIRE(worker);
  server.worker = worker.get();

  const auto certificate = media::dtls_certificate::generate("media-load-test");
  REQUIRE(certificate);
  const auto context = media::dtls_context::create(*certificate);  // offers AES-256-GCM first
  REQUIRE(context);
  std::string failure;
  auto peer = webrtc_client_peer::create(*context, "127.0.0.1", failure);
  REQUIRE(peer);
  CHECK(failure.empty());
  CHECK(peer->local_port() != 0);
  CHECK(peer->fingerprint() == certificate->fingerprint());

  const auto info = worker->create_transport({peer->fingerprint(), peer->ice_ufrag(), media::dtls_role::server});
  REQUIRE(info);
  remote_transport remote;
  remote.ice_ufrag = info->ice_ufrag;
  remote.ice_pwd = info->ice_password;
  const auto digest = media::parse_fingerprint(info->fingerprint);
  REQUIRE(digest);
  remote.fingerprint = *digest;
  remote.address.sin_family = AF_INET;
  remote.address.sin_port = htons(info->candidate_port);
  REQUIRE(inet_pton(AF_INET, info->candidate_ip.c_str(), &remote.address.sin_addr) == 1);

  peer->start(remote, std::chrono::steady_clock::now());
  REQUIRE(pump(*peer, [&] { return peer->current_state() == webrtc_client_peer::state::connected; }, 20s));
  CHECK(peer->counters().checks_answered >= 1);
  REQUIRE(peer->profile());
  CHECK(*peer->profile() == media::srtp_profile::aead_aes_256_gcm);
  {
    std::unique_lock lock(server.mutex);
    REQUIRE(server.changed.wait_for(lock, 20s, [&] { return server.connected.has_value(); }));
    CHECK(*server.connected == media::srtp_profile::aead_aes_256_gcm);
  }

  // One second of the synthetic stream: 200 packets, the first a keyframe.
  synthetic_vp8_settings settings;
  settings.ssrc = 0x0BADCAFE;
  settings.mid_extension_id = 4;
  synthetic_vp8_stream stream(settings);
  std::array<uint8_t, 1500 + media::srtp_session::max_overhead> buffer{};
  size_t sent = 0;
  for (int i = 0; i < 200; ++i) {
    const size_t length = stream.write_next(buffer);
    REQUIRE(length == 1200);
    if (peer->send_rtp(buffer, length))
      ++sent;
    if (i % 20 == 19)  // let the echoes drain now and then
      pump(*peer, [] { return true; }, 1s);
  }
  CHECK(sent == 200);
  CHECK(peer->counters().rtp_sent == 200);
  // Loopback may drop under load on a busy machine; most must arrive, and nothing may fail to decrypt.
  REQUIRE(pump(*peer, [&] { return peer->stats().total_received() >= 190; }, 20s));
  CHECK(peer->counters().srtp_errors == 0);
  CHECK(peer->stats().keyframes() == 1);
  std::lock_guard lock(server.mutex);
  CHECK(server.rtp_packets >= 190);
  CHECK(server.keyframes == 1);
}

TEST_CASE("the load client fails clearly when nobody answers its checks", "[peer]") {
  const auto certificate = media::dtls_certificate::generate("media-load-test");
  REQUIRE(certificate);
  const auto context = media::dtls_context::create(*certificate);
  REQUIRE(context);
  std::string failure;
  auto peer = webrtc_client_peer::create(*context, "127.0.0.1", failure);
  REQUIRE(peer);
  // A bound socket that never answers stands for a server that is gone.
  auto silent = webrtc_client_peer::create(*context, "127.0.0.1", failure);
  REQUIRE(silent);
  remote_transport remote;
  remote.ice_ufrag = "nobody";
  remote.ice_pwd = "nobody-answers-these-checks";
  remote.fingerprint = certificate->digest();
  remote.address.sin_family = AF_INET;
  remote.address.sin_port = htons(silent->local_port());
  inet_pton(AF_INET, "127.0.0.1", &remote.address.sin_addr);
  peer->start(remote, std::chrono::steady_clock::now());
  CHECK_FALSE(pump(*peer, [&] { return peer->current_state() == webrtc_client_peer::state::connected; }, 30s));
  CHECK(peer->current_state() == webrtc_client_peer::state::failed);
  CHECK(peer->failure() == "no answer to ICE connectivity checks");
  CHECK(peer->counters().checks_sent > 10);
}

TEST_CASE("the load client refuses a bind address that is not IPv4", "[peer]") {
  const auto certificate = media::dtls_certificate::generate("media-load-test");
  REQUIRE(certificate);
  const auto context = media::dtls_context::create(*certificate);
  REQUIRE(context);
  std::string failure;
  CHECK_FALSE(webrtc_client_peer::create(*context, "not-an-address", failure));
  CHECK(failure == "not an IPv4 address: not-an-address");
}
