// A synchronous WSS client for tests: msgpack requests built from JSON, frames decoded back to JSON.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace parley::test_support {

/// What one read from the connection produced.
struct ws_frame {
  enum class kind { message, closed, failed };
  kind what = kind::failed;
  std::string bytes;    // the raw frame (message)
  nlohmann::json value; // the frame decoded from msgpack (message); discarded if it did not decode
  int close_code = 0;   // the peer's close code (closed; 1005 if the close frame carried none)
  std::string error;    // what went wrong (failed, including a timeout)
};

/// One WebSocket connection to parleyd's /ws, driven synchronously; every operation has a timeout.
class ws_client {
public:
  /// Connects (TCP, TLS, WebSocket upgrade). Throws std::runtime_error on failure.
  ws_client(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds{20});
  ~ws_client();
  ws_client(ws_client&&) noexcept;
  ws_client& operator=(ws_client&&) noexcept;

  /// Sends `{op, id, args}` with the next id (ids start at 1) and returns the id.
  std::uint64_t send_request(std::string_view op, const nlohmann::json& args = nlohmann::json::object());
  /// Sends `{op, id, args}` with the given id; `args` is left out when null.
  void send_request(std::string_view op, std::uint64_t id, const nlohmann::json& args);
  /// Sends one binary frame with exactly these bytes.
  void send_raw(std::string_view bytes);

  /// Reads the next frame. Never throws.
  ws_frame next(std::chrono::milliseconds timeout = std::chrono::seconds{10});
  /// Reads the next frame and returns it decoded; throws if the connection closed or failed.
  nlohmann::json read(std::chrono::milliseconds timeout = std::chrono::seconds{10});
  /// Reads until a response whose `re` is `id`, skipping events; throws on anything else.
  nlohmann::json read_response(std::uint64_t id, std::chrono::milliseconds timeout = std::chrono::seconds{10});
  /// send_request + read_response.
  nlohmann::json call(std::string_view op, const nlohmann::json& args = nlohmann::json::object(),
                      std::chrono::milliseconds timeout = std::chrono::seconds{10});
  /// `auth.hello {token}`; returns the response.
  nlohmann::json hello(std::string_view token);

  /// Reads (discarding frames) until the peer closes; returns its close code, or nullopt if the
  /// connection failed or timed out without a close frame.
  std::optional<int> wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds{10});
  /// The close code received, once the peer has closed.
  std::optional<int> close_code() const;
  bool is_open() const;
  /// Why the last read or write failed (empty if none did), for assertion messages.
  const std::string& last_error() const;
  /// Closes with the given code (best effort).
  void close(int code = 1000);

  struct impl;

private:
  std::unique_ptr<impl> impl_;
  std::uint64_t next_id_ = 1;
};

/// True if `response` is `{re, ok: false, error: {code, message}}` with this code.
bool is_ws_error(const nlohmann::json& response, std::string_view code);
/// True if `response` is `{re, ok: true, result: {...}}`.
bool is_ws_ok(const nlohmann::json& response);

} // namespace parley::test_support
