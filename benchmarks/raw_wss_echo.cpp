// A bare Beast WSS echo server with parleyd's TLS context and I/O threads but no actors: ws_ping_bench's anchor.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "net/tls_context.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// The same limits and timeouts parleyd's edge uses (net/edge_settings.hpp defaults).
constexpr auto handshake_timeout = std::chrono::seconds{10};
constexpr auto idle_timeout = std::chrono::seconds{60};
constexpr size_t max_message = 1024 * 1024;

class echo_session : public std::enable_shared_from_this<echo_session> {
public:
  explicit echo_session(tls_stream&& stream) : ws_(std::move(stream)) {}

  void run(http::request<http::string_body> request) {
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = handshake_timeout;
    timeouts.idle_timeout = idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(max_message);
    ws_.binary(true);
    ws_.auto_fragment(false);
    request_ = std::move(request);
    ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->read_next();
    });
  }

private:
  void read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec)
        return;
      self->ws_.binary(!self->ws_.got_text());
      self->ws_.async_write(self->buffer_.data(), [self](beast::error_code ec, size_t) {
        if (ec)
          return;
        self->buffer_.consume(self->buffer_.size());
        self->read_next();
      });
    });
  }

  websocket::stream<tls_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
};

/// TLS handshake and the one HTTP request that must be a WebSocket upgrade.
class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(tcp::socket&& socket, asio::ssl::context& tls) : stream_(std::move(socket), tls) {}

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->stream_).expires_after(handshake_timeout);
      self->stream_.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code ec) {
        if (ec)
          return;
        self->parser_.emplace();
        http::async_read(self->stream_, self->buffer_, *self->parser_, [self](beast::error_code ec, size_t) {
          if (ec || !websocket::is_upgrade(self->parser_->get()))
            return; // this server only echoes WebSocket frames
          beast::get_lowest_layer(self->stream_).expires_never();
          std::make_shared<echo_session>(std::move(self->stream_))->run(self->parser_->release());
        });
      });
    });
  }

private:
  tls_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

void accept(tcp::acceptor& acceptor, asio::io_context& ioc, asio::ssl::context& tls) {
  acceptor.async_accept(asio::make_strand(ioc), [&](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted)
      return;
    if (!ec) { // like parleyd's edge: TCP_NODELAY, one write per frame
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<http_session>(std::move(socket), tls)->run();
    }
    accept(acceptor, ioc, tls);
  });
}

std::string option(int argc, char** argv, const std::string& name, std::string fallback) {
  auto prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i)
    if (std::string arg = argv[i]; arg.rfind(prefix, 0) == 0)
      return arg.substr(prefix.size());
  return fallback;
}

} // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto cert = option(argc, argv, "tls-cert", "");
  auto key = option(argc, argv, "tls-key", "");
  auto bind = option(argc, argv, "bind", "127.0.0.1");
  auto port = static_cast<uint16_t>(std::stoi(option(argc, argv, "port", "0")));
  auto threads = static_cast<size_t>(std::stoi(option(argc, argv, "io-threads", "2")));
  if (cert.empty() || key.empty()) {
    std::fprintf(stderr, "usage: raw_wss_echo --tls-cert=PEM --tls-key=PEM [--bind=127.0.0.1] [--port=0] "
                         "[--io-threads=2]\n");
    return 2;
  }
  std::string error;
  auto tls = parley::net::make_server_tls_context(cert, key, error);
  if (!error.empty()) {
    std::fprintf(stderr, "raw_wss_echo: %s\n", error.c_str());
    return 1;
  }
  asio::io_context ioc{static_cast<int>(threads)};
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  beast::error_code ec;
  tcp::endpoint endpoint{asio::ip::make_address(bind, ec), port};
  if (!ec)
    acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "raw_wss_echo: cannot listen on %s:%u: %s\n", bind.c_str(), port, ec.message().c_str());
    return 1;
  }
  accept(acceptor, ioc, tls);
  std::vector<std::thread> pool;
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  std::printf("listening on https://%s:%u\n", bind.c_str(), static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  ioc.stop();
  for (auto& t : pool)
    t.join();
  return 0;
}
