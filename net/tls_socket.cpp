// The non-template part of tls_socket: setup, move, shutdown and error mapping.
#include "net/tls_socket.hpp"

#include <cerrno>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace parley::net {

tls_socket::tls_socket(socket_type&& socket, SSL_CTX* ctx) : socket_(std::move(socket)) {
  error_code ec;
  socket_.non_blocking(true, ec);
  ssl_ = SSL_new(ctx);
  if (!ssl_ || ec)
    return;
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  SSL_set_fd(ssl_, socket_.native_handle());
  SSL_set_accept_state(ssl_);
}

tls_socket::tls_socket(tls_socket&& other) noexcept
  : socket_(std::move(other.socket_)), ssl_(std::exchange(other.ssl_, nullptr)) {
}

tls_socket::~tls_socket() {
  if (ssl_)
    SSL_free(ssl_);
}

char* tls_socket::scratch_data() noexcept {
  thread_local char scratch[scratch_size];
  return scratch;
}

void tls_socket::shutdown_tls() noexcept {
  if (ssl_ && socket_.is_open() && SSL_is_init_finished(ssl_)) {
    ERR_clear_error();
    SSL_shutdown(ssl_);
  }
}

tls_socket::error_code tls_socket::to_error(int reason, int result) const {
  namespace asio = boost::asio;
  switch (reason) {
    case SSL_ERROR_ZERO_RETURN:
      return asio::error::eof;
    case SSL_ERROR_SYSCALL:
      if (result == 0 || errno == 0)
        return asio::ssl::error::stream_truncated;
      return error_code{errno, boost::system::system_category()};
    default:
      if (auto code = ERR_get_error())
        return error_code{static_cast<int>(code), asio::error::get_ssl_category()};
      return asio::error::fault;
  }
}

void teardown(boost::beast::role_type role, tls_socket& stream, boost::system::error_code& ec) {
  stream.shutdown_tls();
  boost::beast::websocket::teardown(role, stream.next_layer(), ec);
}

} // namespace parley::net
