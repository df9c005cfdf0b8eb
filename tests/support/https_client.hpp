// A minimal synchronous HTTPS client for tests: one TLS connection per request, no certificate checks.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace parley::test_support {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
  int status = 0;
  std::map<std::string, std::string> headers; // names in lower case
  std::string body;

  /// The body parsed as JSON; a parse failure yields a discarded value (is_discarded()).
  nlohmann::json json() const;
  /// A header's value, or "" if absent. `name` in lower case.
  std::string header(const std::string& name) const;
  /// "HTTP 409: {body}", for assertion messages.
  std::string describe() const;
};

/// `Authorization: Bearer <token>`.
std::pair<std::string, std::string> bearer(std::string_view token);

/// Talks HTTPS to one server. Verification is off: tests reach parleyd's self-signed
/// certificate on loopback. Every request opens a fresh connection (`Connection: close`), so
/// a request never depends on what an earlier one did to a connection.
class https_client {
public:
  https_client(std::string host, std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds{20});

  /// Sends a request. Throws std::runtime_error if no response arrives (connect, TLS or I/O
  /// failure, or the timeout). If the server answers before taking the whole body (413), the
  /// answer is still returned.
  http_response request(std::string_view method, std::string_view target, std::string body = {},
                        const header_list& headers = {}, std::string_view content_type = "application/json");

  http_response get(std::string_view target, const header_list& headers = {});
  http_response post_json(std::string_view target, const nlohmann::json& body, const header_list& headers = {});

private:
  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
};

} // namespace parley::test_support
