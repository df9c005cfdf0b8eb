// HTTP/1.1 over TLS with header/body limits and timeouts; REST through rest_api; /ws upgrades.
#include "net/http_session.hpp"

#include "net/websocket_session.hpp"

namespace parley::net {

namespace {

std::string address_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string{"unknown"} : endpoint.address().to_string();
}

} // namespace

http_session::http_session(tcp::socket&& socket, std::shared_ptr<edge_shared> shared)
  : stream_(std::move(socket), shared->ssl.native_handle()), timer_(stream_.get_executor()),
    remote_address_(address_of(stream_.next_layer())) {
  auto id = shared->connections.next_id();
  slot_ = std::make_unique<connection_slot>(std::move(shared), id);
}

void http_session::run() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->slot_->shared().connections.put(self->slot_->id(), self->weak_from_this());
    if (!self->stream_.valid())
      return;
    self->arm_timeout(self->slot_->shared().settings.handshake_timeout);
    self->stream_.async_handshake(beast::bind_front_handler(&http_session::on_handshake, self));
  });
}

void http_session::shutdown() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    self->stream_.next_layer().close(ignored);
  });
}

void http_session::arm_timeout(std::chrono::seconds limit) {
  timer_.expires_after(limit);
  timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (ec)
      return;
    if (auto self = weak.lock()) {
      beast::error_code ignored;
      self->stream_.next_layer().close(ignored);
    }
  });
}

void http_session::on_handshake(beast::error_code ec) {
  if (ec)
    return;
  read_request();
}

void http_session::read_request() {
  const auto& settings = slot_->shared().settings;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(settings.http_max_header));
  parser_->body_limit(settings.http_max_body);
  arm_timeout(settings.http_idle_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&http_session::on_header, shared_from_this()));
}

void http_session::on_header(beast::error_code ec, size_t bytes) {
  if (ec) {
    on_read(ec, bytes);
    return;
  }
  // Image uploads may be larger than other bodies; every other route keeps the default limit.
  const auto& shared = slot_->shared();
  const auto target = parser_->get().target();
  parser_->body_limit(shared.rest.body_limit_for({target.data(), target.size()}, shared.settings.http_max_body));
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, size_t) {
  auto started = std::chrono::steady_clock::now();
  timer_.cancel();
  if (ec == http::error::body_limit) {
    send(error_reply(protocol::error_code::payload_too_large, "the request body is too large"), 11, false, started);
    return;
  }
  if (ec == http::error::header_limit) {
    auto reply = error_reply(protocol::error_code::bad_request, "the request headers are too large");
    reply.status = 431;
    send(std::move(reply), 11, false, started);
    return;
  }
  if (ec) {
    close();
    return;
  }
  auto request = parser_->release();
  parser_.reset();
  auto& shared = slot_->shared();
  auto target = std::string{request.target()};
  if (websocket::is_upgrade(request)) {
    if (target != "/ws") {
      send(error_reply(protocol::error_code::not_found, "WebSockets are served at /ws"), request.version(), false,
           started);
      return;
    }
    if (shared.shutting_down) {
      send(error_reply(protocol::error_code::unavailable, "the server is shutting down"), request.version(), false,
           started);
      return;
    }
    shared.connections.remove(slot_->id());
    auto ws = std::make_shared<websocket_session>(std::move(stream_), std::move(slot_), remote_address_);
    ws->run(std::move(request));
    return;
  }
  if (!static_site::is_api_path(target.substr(0, target.find('?')))) {
    auto keep_alive = request.keep_alive() && !shared.shutting_down;
    auto method = request.method_string();
    send(shared.web.serve(std::string_view{method.data(), method.size()}, target), request.version(), keep_alive, started);
    return;
  }
  http_request_view view;
  view.method = std::string{request.method_string()};
  view.target = std::move(target);
  view.body = std::move(request.body());
  view.authorization = std::string{request[http::field::authorization]};
  view.remote_address = remote_address_;
  view.parley_date = std::string{request["X-Parley-Date"]};
  view.parley_nonce = std::string{request["X-Parley-Nonce"]};
  view.accept = std::string{request[http::field::accept]};
  view.cookie = std::string{request[http::field::cookie]};
  auto keep_alive = request.keep_alive() && !shared.shutting_down;
  auto version = request.version();
  shared.rest.handle(view, [self = shared_from_this(), version, keep_alive, started](http_reply reply) {
    asio::post(self->stream_.get_executor(), [self, reply = std::move(reply), version, keep_alive, started]() mutable {
      self->send(std::move(reply), version, keep_alive, started);
    });
  });
}

void http_session::send(http_reply reply, unsigned version, bool keep_alive,
                        std::chrono::steady_clock::time_point started) {
  response_ = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status), version);
  auto& res = *response_;
  res.set(http::field::server, "parley");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::strict_transport_security, "max-age=31536000");
  if (!reply.content_type.empty())
    res.set(http::field::content_type, reply.content_type);
  for (auto& [name, value] : reply.headers)
    res.set(name, value);
  res.body() = std::move(reply.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  slot_->shared().metrics.http_request_duration.observe(
    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  arm_timeout(slot_->shared().settings.http_idle_timeout);
  http::async_write(stream_, res, beast::bind_front_handler(&http_session::on_write, shared_from_this(), keep_alive));
}

void http_session::on_write(bool keep_alive, beast::error_code ec, size_t) {
  timer_.cancel();
  response_.reset();
  if (ec)
    return;
  if (!keep_alive) {
    close();
    return;
  }
  read_request();
}

void http_session::close() {
  timer_.cancel();
  stream_.shutdown_tls();
  beast::error_code ignored;
  stream_.next_layer().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.next_layer().close(ignored);
}

} // namespace parley::net
