// Asynchronous WSS load client for the benchmarks: many connections, windowed set-up, closed-loop round trips.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parley::bench {

using frame = std::vector<uint8_t>;

struct http_result {
  unsigned status = 0;
  std::string body;
  std::string error; // set when no response was read
};

/// One HTTPS POST with a JSON body on a fresh connection. The certificate is not checked: the
/// benchmarks talk to a self-signed server on loopback.
http_result https_post(const std::string& host, uint16_t port, const std::string& target, const std::string& body);
/// The same with any method and, if given, `Authorization: Bearer <bearer_token>`.
http_result https_request(const std::string& host, uint16_t port, std::string_view method, const std::string& target,
                          const std::string& body, const std::string& bearer_token = {});

struct loop_result {
  uint64_t round_trips = 0;          // replies received inside the measured window
  double seconds = 0;                // length of the measured window
  size_t failed_connections = 0;     // connections that broke during the run
  std::vector<frame> last_replies;   // the last reply of every connection, checked after the run
};

/// WebSocket connections to wss://host:port/ws driven by `threads` Asio threads. Every open
/// connection always has a read pending, so the server's keep-alive pings are answered while
/// it is idle. Methods are called from one thread (the benchmark's main thread).
class wss_load_client {
public:
  explicit wss_load_client(size_t threads);
  ~wss_load_client();
  wss_load_client(const wss_load_client&) = delete;
  wss_load_client& operator=(const wss_load_client&) = delete;

  /// Opens `count` more connections (TCP, TLS, upgrade), at most `in_flight` being set up at
  /// once. Returns how many opened; the first failure is described in `error`.
  size_t connect(const std::string& host, uint16_t port, size_t count, size_t in_flight, std::string& error);

  /// Open connections so far.
  size_t size() const;

  /// Called for every frame a connection receives outside an exchange or loop (events, and replies
  /// to send_on), on that connection's I/O thread: (connection index, bytes, size, arrival time).
  /// Set it before connect(); connections of different indexes may call it concurrently.
  using frame_observer = std::function<void(size_t, const uint8_t*, size_t, std::chrono::steady_clock::time_point)>;
  void observe(frame_observer observer);

  /// Sends one frame on connection `i` without waiting; what comes back goes to the observer.
  void send_on(size_t i, frame bytes);

  /// Sends `frame_of(i)` on connection `i` for every `i` in `which`, at most `in_flight`
  /// outstanding, and returns the first reply of each (empty: none before the deadline).
  /// With `round_trip_us`, also the time from each send to its first reply (0: none).
  std::vector<frame> exchange(const std::vector<size_t>& which, const std::function<frame(size_t)>& frame_of,
                              size_t in_flight, std::chrono::milliseconds timeout,
                              std::vector<double>* round_trip_us = nullptr);

  /// Every connection keeps exactly one `request` in flight: it sends the next one when the
  /// reply to the last one arrives. Counts replies in the window after `warmup`.
  loop_result closed_loop(const frame& request, std::chrono::milliseconds warmup, std::chrono::milliseconds measure);

  /// Streaming mode: from now on every frame a connection receives while no exchange or loop
  /// runs on it is handed to `on_frame(connection_index, frame)` on that connection's I/O thread.
  /// Set it before streaming starts; it must not block.
  using frame_handler = std::function<void(size_t, const frame&)>;
  void stream_to(frame_handler on_frame);

  /// Queues `bytes` for connection `i`; its writes go out one at a time in the order queued.
  /// Callable from any thread, including a frame handler.
  void post_frame(size_t i, frame bytes);

  /// Closes every socket (no close handshake) and forgets the connections.
  void close_all();

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace parley::bench
