// Many concurrent WSS connections on one io_context, for load-shaped integration tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace parley::test_support {

/// Opens many WebSocket connections to one parleyd and drives them together, asynchronously
/// on a single thread. Connections stay open until close_all() or destruction.
class ws_swarm {
public:
  ws_swarm(std::string host, std::uint16_t port);
  ~ws_swarm();
  ws_swarm(const ws_swarm&) = delete;
  ws_swarm& operator=(const ws_swarm&) = delete;

  /// Opens `count` more connections (at most `in_flight` being set up at once) and sends
  /// `auth.hello {token}` on each. Returns how many got an ok response within the timeout.
  std::size_t connect_and_hello(std::size_t count, const std::string& token, std::chrono::milliseconds timeout,
                                std::size_t in_flight = 100);
  /// Sends sys.ping on every authenticated connection at once; returns how many answered ok.
  std::size_t ping_all(std::chrono::milliseconds timeout);
  /// Connections that are authenticated and have not failed.
  std::size_t open_count() const;
  /// Up to 10 distinct failure descriptions, for assertion messages.
  std::vector<std::string> errors() const;
  /// Closes every connection with code 1000 (best effort, bounded by the timeout).
  void close_all(std::chrono::milliseconds timeout = std::chrono::seconds{20});

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace parley::test_support
