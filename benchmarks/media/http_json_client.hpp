// A blocking HTTP/1.1 exchange on a fresh loopback TCP connection, for JSON control APIs
// (Janus's REST transport). One request per connection: nothing to keep alive or pipeline.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::bench {

struct http_response {
  int status = 0;
  std::string body;
};

/// Sends `method target` with `body` (as application/json when not empty) and reads the
/// response until the server closes. Nullopt with `error` set on a connection failure,
/// timeout or unreadable response.
std::optional<http_response> http_exchange(const std::string& host, uint16_t port, std::string_view method,
                                           const std::string& target, const std::string& body,
                                           std::chrono::milliseconds timeout, std::string& error);

} // namespace parley::bench
