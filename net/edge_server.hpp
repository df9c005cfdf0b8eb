// The network edge as one object: listen, serve on I/O threads, shut down politely.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/node_context.hpp"
#include "net/edge_settings.hpp"

namespace parley::net {

class edge_server {
public:
  edge_server(caf::actor_system& system, std::shared_ptr<const actors::node_context> ctx, edge_settings settings);
  ~edge_server();

  /// Loads TLS, binds and listens. Returns an error text or "".
  std::string start();

  /// The port actually bound (useful with port 0).
  uint16_t port() const;

  /// Stops accepting, closes every WebSocket with 1001, waits up to the grace period for
  /// connections to finish, then stops the I/O threads.
  void shutdown();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace parley::net
