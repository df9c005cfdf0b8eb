// One client WebSocket: reads frames into its session actor, writes the actor's frames back.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <caf/actor.hpp>

#include "net/beast_types.hpp"
#include "net/coalescing_stream.hpp"
#include "net/edge_shared.hpp"

namespace parley::net {

class websocket_session : public std::enable_shared_from_this<websocket_session>, public connection {
public:
  websocket_session(tls_stream&& stream, std::unique_ptr<connection_slot> slot, std::string remote_address);
  ~websocket_session() override;

  /// Completes the upgrade that `request` asked for, then starts reading.
  void run(http::request<http::string_body> request);

  using frame_bytes = std::shared_ptr<const std::vector<uint8_t>>;

  /// Thread-safe: queue a frame, or cut the connection if its queue is over the limit.
  void enqueue(std::vector<uint8_t> frame);
  /// The same for a frame other connections send too (queued by reference).
  void enqueue_shared(frame_bytes frame);
  /// Thread-safe: close with `code` once the queued frames are written.
  void close(uint16_t code);

  void shutdown() override { close(1001); }

private:
  void on_accept(beast::error_code ec);
  void read_next();
  void on_read(beast::error_code ec, size_t bytes);
  void write_next();
  void on_write(beast::error_code ec);
  void start_close(uint16_t code);
  void on_gone();

  // Data frames are built here and appended to the coalescing stream in whole batches; Beast
  // writes only its control frames (pong, ping, close) through the same stream.
  websocket::stream<coalescing_stream> ws_;
  std::unique_ptr<connection_slot> slot_;
  std::string remote_address_;
  std::unique_ptr<http::request<http::string_body>> upgrade_request_;
  beast::flat_buffer buffer_;
  caf::actor session_;

  // Outbound queue, shared between actor threads (producers) and the strand (the writer).
  std::mutex mutex_;
  std::vector<frame_bytes> queue_;
  size_t queued_bytes_ = 0; // queued or in the batch being written
  // The batch being written (strand only): everything queued when the last write finished.
  std::vector<frame_bytes> batch_;
  size_t batch_bytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  std::optional<uint16_t> close_after_writes_;
  bool close_started_ = false;
  bool gone_ = false;
};

} // namespace parley::net
