// A real parleyd on loopback with a meeting open, and a loop serving two load-client peers:
// what the media_load tests that go through the SFU share.
#pragma once

#include <poll.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "benchmarks/bench_support.hpp"
#include "benchmarks/child_process.hpp"
#include "benchmarks/media/parley_meeting_signaling.hpp"
#include "benchmarks/media/webrtc_client_peer.hpp"
#include "benchmarks/parleyd_client.hpp"

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

} // namespace parley::bench::test
