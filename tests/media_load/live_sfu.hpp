// A real parleyd on loopback with a meeting open, and a loop serving two load-client peers:
// what the media_load tests that go through the SFU share.
#pragma once

#include <poll.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "benchmarks/bench_support.hpp"
#include "benchmarks/child_process.hpp"
#include "benchmarks/media/client_sdp.hpp"
#include "benchmarks/media/parley_meeting_signaling.hpp"
#include "benchmarks/media/webrtc_client_peer.hpp"
#include "benchmarks/parleyd_client.hpp"
#include "media/dtls_certificate.hpp"
#include "media/dtls_context.hpp"

namespace parley::bench::test {

// Serves both peers' sockets and timers until `done` or the deadline; false at the deadline.
template <typename Done>
bool pump(webrtc_client_peer& a, webrtc_client_peer& b, Done done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::array<pollfd, 2> fds{{{a.fd(), POLLIN, 0}, {b.fd(), POLLIN, 0}}};
    ::poll(fds.data(), fds.size(), 10);
    const auto now = std::chrono::steady_clock::now();
    if ((fds[0].revents & POLLIN) != 0)
      a.on_readable(now);
    if ((fds[1].revents & POLLIN) != 0)
      b.on_readable(now);
    a.on_tick(now);
    b.on_tick(now);
  }
  return true;
}

// parleyd with a temp data folder, a signed-in user and an open meeting (participant 0, the host).
struct live_sfu {
  temp_folder data{std::filesystem::temp_directory_path(), "parley-sfu-test-"};
  std::unique_ptr<child_process> server;
  std::unique_ptr<parley_meeting_signaling> signaling;
  std::string error;

  bool start() {
    if (!data.ok()) {
      error = "no data folder";
      return false;
    }
    server = child_process::start({PARLEY_BENCH_PARLEYD, "--port=0", "--bind=127.0.0.1",
                                   "--data-dir=" + data.path().string(), "--registration=open", "--argon2-ops=1",
                                   "--argon2-mem-kib=8192"},
                                  {"PARLEY_ADMIN_PASSWORD=Sfu-Test-Admin-2024!"}, (data.path() / "parleyd.log").string(),
                                  std::chrono::seconds(30), error);
    if (!server)
      return false;
    const auto token = sign_up_and_log_in(server->host(), server->port(), error);
    if (token.empty())
      return false;
    signaling = std::make_unique<parley_meeting_signaling>(server->host(), server->port(), token);
    return signaling->connect(error);
  }
  ~live_sfu() {
    signaling.reset();
    if (server)
      server->stop();
  }
};

// A publisher and a subscriber of its stream, both connected through the SFU. Members are
// destroyed in reverse order: the peers before the DTLS context and certificate they use.
struct connected_pair {
  std::optional<media::dtls_certificate> certificate;
  std::unique_ptr<media::dtls_context> context;
  std::unique_ptr<webrtc_client_peer> publisher;
  std::unique_ptr<webrtc_client_peer> subscriber;
  publication published;
};

// Publishes `offer` (which the signaling completes) as participant 1, subscribes participant 2
// to it, and waits until both are connected; false with `error` set if any step fails.
inline bool connect_pair(live_sfu& sfu, publish_offer_settings& offer, connected_pair& pair, std::string& error) {
  pair.certificate = media::dtls_certificate::generate("media-load-test");
  pair.context = pair.certificate ? media::dtls_context::create(*pair.certificate) : nullptr;
  if (!pair.context) {
    error = "no DTLS certificate or context";
    return false;
  }
  pair.publisher = webrtc_client_peer::create(*pair.context, "127.0.0.1", error);
  pair.subscriber = webrtc_client_peer::create(*pair.context, "127.0.0.1", error);
  if (!pair.publisher || !pair.subscriber)
    return false;
  if (!sfu.signaling->publish(*pair.publisher, offer, pair.published, error)
      || !sfu.signaling->subscribe(*pair.subscriber, pair.published, error))
    return false;
  const auto connected = [](const webrtc_client_peer& p) { return p.current_state() == webrtc_client_peer::state::connected; };
  if (!pump(*pair.publisher, *pair.subscriber, [&] { return connected(*pair.publisher) && connected(*pair.subscriber); },
            std::chrono::seconds{30})) {
    error = "the peers did not connect through the SFU within 30 s";
    return false;
  }
  return true;
}

} // namespace parley::bench::test
