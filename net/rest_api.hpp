// The REST routes (health, metrics, auth), free of any HTTP library: requests in, replies out.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/node_context.hpp"
#include "protocol/error_code.hpp"

namespace parley::net {

struct http_request_view {
  std::string method;
  std::string target;
  std::string body;
  std::string authorization;
  std::string remote_address;
  std::string parley_date;  // X-Parley-Date, for requests signed with an API key
  std::string parley_nonce; // X-Parley-Nonce
  std::string accept;       // Accept: a browser's form post to the SAML ACS asks for text/html
  std::string cookie;       // Cookie: only the SAML hand-over reads it
};

struct http_reply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// `{"error":{"code","message"}}` with the code's HTTP status.
http_reply error_reply(protocol::error_code code, std::string_view message);

class rest_api {
public:
  using completion = std::function<void(http_reply)>;

  rest_api(caf::actor_system& system, std::shared_ptr<const actors::node_context> ctx);

  /// Answers `request` by calling `done` exactly once, possibly on another thread.
  void handle(const http_request_view& request, completion done) const;

  /// The largest body a request to `target` may carry (image uploads may exceed the default).
  size_t body_limit_for(std::string_view target, size_t default_limit) const;

private:
  void auth_register(const http_request_view& request, completion done) const;
  void auth_login(const http_request_view& request, completion done) const;
  void auth_logout(const http_request_view& request, completion done) const;
  http_reply meeting_chat_text(const http_request_view& request, const std::string& meeting_id) const;
  void conversation_image(const http_request_view& request, std::string_view path, completion done) const;
  void admin(const http_request_view& request, completion done) const;
  http_reply healthz() const;
  http_reply metrics() const;

  caf::actor_system& system_;
  std::shared_ptr<const actors::node_context> ctx_;
};

} // namespace parley::net
