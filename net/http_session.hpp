// One client connection before (or instead of) a WebSocket: TLS handshake, HTTP/1.1 requests, upgrade.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "net/beast_types.hpp"
#include "net/edge_shared.hpp"

namespace parley::net {

class http_session : public std::enable_shared_from_this<http_session>, public connection {
public:
  http_session(tcp::socket&& socket, std::shared_ptr<edge_shared> shared);

  void run();
  void shutdown() override;

private:
  void on_handshake(beast::error_code ec);
  void read_request();
  void on_header(beast::error_code ec, size_t bytes);
  void on_read(beast::error_code ec, size_t bytes);
  void send(http_reply reply, unsigned version, bool keep_alive, std::chrono::steady_clock::time_point started);
  void on_write(bool keep_alive, beast::error_code ec, size_t bytes);
  void close();
  /// Closes the socket unless the current step (handshake, request read) ends within `limit`.
  void arm_timeout(std::chrono::seconds limit);

  tls_stream stream_;
  asio::steady_timer timer_;
  std::unique_ptr<connection_slot> slot_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
};

} // namespace parley::net
