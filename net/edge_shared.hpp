// What every connection of the edge shares: settings, TLS context, REST routes, metrics, registry.
#pragma once

#include <atomic>
#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "actors/node_context.hpp"
#include "net/connection_registry.hpp"
#include "net/edge_settings.hpp"
#include "net/rest_api.hpp"
#include "net/static_site.hpp"
#include "telemetry/node_metrics.hpp"

namespace caf {
class actor_system;
}

namespace parley::net {

struct edge_shared {
  edge_shared(caf::actor_system& sys, std::shared_ptr<const actors::node_context> node, edge_settings s,
              boost::asio::ssl::context tls)
    : system(sys), ctx(std::move(node)), settings(std::move(s)), ssl(std::move(tls)), rest(sys, ctx),
      metrics(*ctx->metrics), web(settings.web_root) {}

  caf::actor_system& system;
  std::shared_ptr<const actors::node_context> ctx;
  edge_settings settings;
  boost::asio::ssl::context ssl;
  rest_api rest;
  telemetry::node_metrics& metrics;
  connection_registry connections;
  std::atomic<bool> shutting_down{false};
  static_site web;
};

/// Holds one connection's place in the cap and the registry; released when the last owner goes.
class connection_slot {
public:
  connection_slot(std::shared_ptr<edge_shared> shared, uint64_t id) : shared_(std::move(shared)), id_(id) {
    shared_->metrics.connections_open.add(1);
    shared_->metrics.connections_total.add();
  }
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;
  ~connection_slot() {
    shared_->connections.remove(id_);
    shared_->metrics.connections_open.add(-1);
  }
  uint64_t id() const noexcept { return id_; }
  edge_shared& shared() const noexcept { return *shared_; }
  const std::shared_ptr<edge_shared>& shared_ptr() const noexcept { return shared_; }

private:
  std::shared_ptr<edge_shared> shared_;
  uint64_t id_;
};

} // namespace parley::net
