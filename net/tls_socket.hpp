// TLS straight on a non-blocking socket (OpenSSL reads and writes the fd itself), as a Beast stream.
//
// Why not asio::ssl::stream: it stages every connection through two 17 KiB Asio buffers and an
// OpenSSL BIO pair, about 70 KiB per connection before any traffic. Here OpenSSL owns the only
// buffers, and SSL_MODE_RELEASE_BUFFERS hands them back whenever a connection is idle, so an idle
// WebSocket costs little more than its SSL object. Every operation runs on the socket's strand.
#pragma once

#include <algorithm>
#include <climits>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace parley::net {

class tls_socket {
public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;
  using next_layer_type = socket_type;
  using error_code = boost::system::error_code;

  /// Takes the accepted socket; `ctx` holds certificate and cipher policy.
  tls_socket(socket_type&& socket, SSL_CTX* ctx);
  tls_socket(tls_socket&& other) noexcept;
  tls_socket& operator=(tls_socket&&) = delete;
  ~tls_socket();

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  socket_type& next_layer() noexcept { return socket_; }
  bool valid() const noexcept { return ssl_ != nullptr; }

  template <class Handler>
  void async_handshake(Handler&& handler) {
    run(
      [this] { return SSL_do_handshake(ssl_); },
      [h = std::forward<Handler>(handler)](error_code ec, int) mutable { h(ec); }, true);
  }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    boost::asio::mutable_buffer target;
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it)
      if (boost::asio::mutable_buffer b = *it; b.size() > 0) {
        target = b;
        break;
      }
    auto transfer = [h = std::forward<Handler>(handler)](error_code ec, int n) mutable {
      h(ec, static_cast<std::size_t>(std::max(n, 0)));
    };
    if (target.size() == 0)
      return complete(std::move(transfer), error_code{}, 0, true);
    run([this, target] { return SSL_read(ssl_, target.data(), clamp(target.size())); }, std::move(transfer), true);
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    // A WebSocket frame arrives as header + payload: gather small sequences into one record.
    boost::asio::const_buffer source = gather(buffers);
    auto transfer = [h = std::forward<Handler>(handler)](error_code ec, int n) mutable {
      h(ec, static_cast<std::size_t>(std::max(n, 0)));
    };
    if (source.size() == 0)
      return complete(std::move(transfer), error_code{}, 0, true);
    // Retries re-gather the same prefix: OpenSSL requires the same bytes on a retried write.
    run(
      [this, buffers] {
        auto chunk = gather(buffers);
        return SSL_write(ssl_, chunk.data(), clamp(chunk.size()));
      },
      std::move(transfer), true);
  }

  /// Sends close_notify if the socket is writable now; never waits for the peer's.
  void shutdown_tls() noexcept;

private:
  static int clamp(std::size_t n) noexcept { return static_cast<int>(std::min<std::size_t>(n, INT_MAX)); }
  static char* scratch_data() noexcept;
  static constexpr std::size_t scratch_size = 16 * 1024;

  template <class ConstBuffers>
  static boost::asio::const_buffer source_of(const ConstBuffers& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it)
      if (boost::asio::const_buffer b = *it; b.size() > 0)
        return b;
    return {};
  }

  /// The first buffer, or, if the sequence has several, up to 16 KiB of it copied into a
  /// per-thread scratch. A retried SSL_write may then pass the same bytes from another address
  /// (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER), which OpenSSL permits.
  template <class ConstBuffers>
  static boost::asio::const_buffer gather(const ConstBuffers& buffers) {
    std::size_t count = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it)
      if (boost::asio::const_buffer(*it).size() > 0)
        ++count;
    if (count <= 1)
      return source_of(buffers);
    auto copied = boost::asio::buffer_copy(boost::asio::buffer(scratch_data(), scratch_size), buffers);
    return {scratch_data(), copied};
  }

  template <class Handler>
  void complete(Handler&& handler, error_code ec, int n, bool initiating) {
    auto ex = get_executor();
    if (initiating) // never complete inside the initiating call
      boost::asio::post(ex, boost::beast::bind_front_handler(std::forward<Handler>(handler), ec, n));
    else
      boost::asio::dispatch(ex, boost::beast::bind_front_handler(std::forward<Handler>(handler), ec, n));
  }

  /// Runs one OpenSSL call; on WANT_READ / WANT_WRITE waits for the socket and tries again.
  template <class Operation, class Handler>
  void run(Operation operation, Handler&& handler, bool initiating) {
    ERR_clear_error();
    int result = operation();
    if (result > 0)
      return complete(std::forward<Handler>(handler), error_code{}, result, initiating);
    int reason = SSL_get_error(ssl_, result);
    if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
      auto wait = reason == SSL_ERROR_WANT_READ ? socket_type::wait_read : socket_type::wait_write;
      socket_.async_wait(wait, [this, operation, h = std::forward<Handler>(handler)](error_code ec) mutable {
        if (ec)
          return complete(std::move(h), ec, 0, false);
        run(operation, std::move(h), false);
      });
      return;
    }
    complete(std::forward<Handler>(handler), to_error(reason, result), 0, initiating);
  }

  error_code to_error(int reason, int result) const;

  socket_type socket_;
  SSL* ssl_ = nullptr;
};

/// WebSocket close: send close_notify, then the TCP teardown Beast does for plain sockets.
void teardown(boost::beast::role_type role, tls_socket& stream, boost::system::error_code& ec);

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, tls_socket& stream, TeardownHandler&& handler) {
  stream.shutdown_tls();
  boost::beast::websocket::async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

} // namespace parley::net
