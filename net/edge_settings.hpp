// Settings of the network edge: listener, TLS, limits.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace parley::net {

struct edge_settings {
  std::string bind = "0.0.0.0";
  uint16_t port = 8443;
  std::string tls_cert;
  std::string tls_key;
  size_t io_threads = 2;
  size_t max_connections = 20000;
  size_t http_max_header = 8 * 1024;
  size_t http_max_body = 64 * 1024;
  size_t ws_max_frame = 1024 * 1024;
  size_t ws_outbound_limit = 4 * 1024 * 1024;
  std::chrono::seconds ws_idle_timeout{60};
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds http_idle_timeout{30};
  std::chrono::seconds shutdown_grace{5};
  /// The built web client served at `/`.
  std::string web_root;
};

} // namespace parley::net
