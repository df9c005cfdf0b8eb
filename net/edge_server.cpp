// Listener and I/O threads; a connection over the cap is closed before its TLS handshake.
#include "net/edge_server.hpp"

#include <thread>
#include <vector>

#include "net/beast_types.hpp"
#include "net/edge_shared.hpp"
#include "net/http_session.hpp"
#include "net/tls_context.hpp"
#include "telemetry/logger.hpp"

namespace parley::net {

struct edge_server::impl {
  impl(caf::actor_system& sys, std::shared_ptr<const actors::node_context> node, edge_settings s)
    : system(sys), ctx(std::move(node)), settings(std::move(s)), acceptor(asio::make_strand(ioc)) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open())
        return;
      if (!ec) {
        if (static_cast<size_t>(shared->metrics.connections_open.value()) >= settings.max_connections) {
          shared->metrics.connections_rejected.add();
          beast::error_code ignored;
          socket.close(ignored);
        } else {
          // Writes are gathered in user space (coalescing_stream); Nagle would only hold back the
          // last record of a reply bigger than one TLS record until the client's delayed ACK.
          beast::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          std::make_shared<http_session>(std::move(socket), shared)->run();
        }
      } else if (ec == asio::error::no_descriptors) {
        telemetry::logger("edge")->warn("out of file descriptors; refusing connections for a moment");
      }
      accept();
    });
  }

  caf::actor_system& system;
  std::shared_ptr<const actors::node_context> ctx;
  edge_settings settings;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::shared_ptr<edge_shared> shared;
  std::vector<std::thread> threads;
  uint16_t bound_port = 0;
};

edge_server::edge_server(caf::actor_system& system, std::shared_ptr<const actors::node_context> ctx,
                         edge_settings settings)
  : impl_(std::make_unique<impl>(system, std::move(ctx), std::move(settings))) {
}

edge_server::~edge_server() {
  shutdown();
}

std::string edge_server::start() {
  auto& d = *impl_;
  std::string error;
  auto tls = make_server_tls_context(d.settings.tls_cert, d.settings.tls_key, error);
  if (!error.empty())
    return error;
  d.shared = std::make_shared<edge_shared>(d.system, d.ctx, d.settings, std::move(tls));
  boost::system::error_code ec;
  auto address = asio::ip::make_address(d.settings.bind, ec);
  if (ec)
    return "--bind=" + d.settings.bind + " is not an IP address";
  tcp::endpoint endpoint{address, d.settings.port};
  d.acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    d.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    d.acceptor.bind(endpoint, ec);
  if (!ec)
    d.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return "cannot listen on " + d.settings.bind + ":" + std::to_string(d.settings.port) + ": " + ec.message();
  d.bound_port = d.acceptor.local_endpoint().port();
  d.accept();
  auto threads = std::max<size_t>(d.settings.io_threads, 1);
  for (size_t i = 0; i < threads; ++i)
    d.threads.emplace_back([&d] { d.ioc.run(); });
  return {};
}

uint16_t edge_server::port() const {
  return impl_->bound_port;
}

void edge_server::shutdown() {
  auto& d = *impl_;
  if (d.threads.empty())
    return;
  if (d.shared) {
    d.shared->shutting_down = true;
    asio::post(d.acceptor.get_executor(), [&d] {
      beast::error_code ignored;
      d.acceptor.close(ignored);
    });
    for (auto& c : d.shared->connections.snapshot())
      c->shutdown();
    auto deadline = std::chrono::steady_clock::now() + d.settings.shutdown_grace;
    while (d.shared->metrics.connections_open.value() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  d.ioc.stop();
  for (auto& t : d.threads)
    t.join();
  d.threads.clear();
}

} // namespace parley::net
