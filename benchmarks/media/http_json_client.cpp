// Plain sockets: the request is one write, the response is read to end of stream
// ("Connection: close"), and a Content-Length, when present, trims it.
#include "benchmarks/media/http_json_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace parley::bench {
namespace {

class fd_guard {
public:
  explicit fd_guard(int fd) : fd_(fd) {}
  ~fd_guard() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  int get() const { return fd_; }

private:
  int fd_;
};

bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0)
    return false;
  pollfd p{fd, events, 0};
  return poll(&p, 1, static_cast<int>(left.count())) == 1;
}

// RFC 9112 §7.1: hex size line (extensions ignored), data, CRLF; a zero size ends it.
bool decode_chunked(std::string& body) {
  std::string out;
  size_t at = 0;
  for (;;) {
    const auto line_end = body.find("\r\n", at);
    if (line_end == std::string::npos)
      return false;
    char* end = nullptr;
    const unsigned long long size = std::strtoull(body.c_str() + at, &end, 16);
    if (end == body.c_str() + at)
      return false;
    at = line_end + 2;
    if (size == 0)
      break;
    if (size > body.size() - at)
      return false;
    out.append(body, at, size);
    at += size + 2;
    if (at > body.size())
      return false;
  }
  body = std::move(out);
  return true;
}

} // namespace

std::optional<http_response> http_exchange(const std::string& host, uint16_t port, std::string_view method,
                                           const std::string& target, const std::string& body,
                                           std::chrono::milliseconds timeout, std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    error = "not an IPv4 address: " + host;
    return std::nullopt;
  }
  fd_guard socket_fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (socket_fd.get() < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (connect(socket_fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
      errno != EINPROGRESS) {
    error = std::string("connect: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (!wait_for(socket_fd.get(), POLLOUT, deadline)) {
    error = "connect timed out";
    return std::nullopt;
  }
  int so_error = 0;
  socklen_t length = sizeof so_error;
  getsockopt(socket_fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &length);
  if (so_error != 0) {
    error = std::string("connect: ") + std::strerror(so_error);
    return std::nullopt;
  }

  std::string request;
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  request += "Host: " + host + ":" + std::to_string(port) + "\r\nConnection: close\r\n";
  if (!body.empty())
    request += "Content-Type: application/json\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(socket_fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR) && wait_for(socket_fd.get(), POLLOUT, deadline))
      continue;
    error = "request not sent";
    return std::nullopt;
  }

  std::string raw;
  char buffer[16384];
  for (;;) {
    const ssize_t n = recv(socket_fd.get(), buffer, sizeof buffer, 0);
    if (n > 0) {
      raw.append(buffer, static_cast<size_t>(n));
      if (raw.size() > (64u << 20)) {
        error = "response larger than 64 MiB";
        return std::nullopt;
      }
      continue;
    }
    if (n == 0)
      break;
    if ((errno == EAGAIN || errno == EINTR) && wait_for(socket_fd.get(), POLLIN, deadline))
      continue;
    error = errno == EAGAIN ? "no response before the deadline" : std::string("recv: ") + std::strerror(errno);
    return std::nullopt;
  }

  const auto header_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || header_end == std::string::npos || raw.size() < 12) {
    error = "not an HTTP response";
    return std::nullopt;
  }
  http_response response;
  response.status = std::atoi(raw.c_str() + 9);
  response.body = raw.substr(header_end + 4);
  std::string headers = raw.substr(0, header_end);
  for (auto& c : headers)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (headers.find("transfer-encoding: chunked") != std::string::npos) {
    if (!decode_chunked(response.body)) {
      error = "malformed chunked HTTP body";
      return std::nullopt;
    }
    return response;
  }
  if (const auto at = headers.find("content-length:"); at != std::string::npos) {
    const auto declared = static_cast<size_t>(std::strtoull(headers.c_str() + at + 15, nullptr, 10));
    if (declared < response.body.size())
      response.body.resize(declared);
  }
  return response;
}

} // namespace parley::bench
