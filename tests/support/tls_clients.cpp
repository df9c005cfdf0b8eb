// The Beast side of the test support in one translation unit (each Beast TU costs ~11 s to
// compile): the HTTPS client, the WSS client and the many-connections swarm.
#include "tests/support/https_client.hpp"
#include "tests/support/msgpack_json.hpp"
#include "tests/support/ws_client.hpp"
#include "tests/support/ws_swarm.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace parley::test_support {

namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

using tls_stream = ssl::stream<tcp::socket>;

// Boost 1.74's beast::string_view is boost::string_view, not std::string_view.
beast::string_view bsv(std::string_view text) {
  return {text.data(), text.size()};
}
using wss_stream = websocket::stream<tls_stream>;

// One context for every connection: verification off (parleyd's self-signed certificate on
// loopback), TLS 1.2 at least, as the server requires.
ssl::context& client_tls_context() {
  static ssl::context context = [] {
    ssl::context result(ssl::context::tls_client);
    result.set_verify_mode(ssl::verify_none);
    ::SSL_CTX_set_min_proto_version(result.native_handle(), TLS1_2_VERSION);
    return result;
  }();
  return context;
}

std::vector<tcp::endpoint> resolve(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (!ec)
    return {tcp::endpoint(address, port)};
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  std::vector<tcp::endpoint> result;
  for (const auto& entry : resolver.resolve(host, std::to_string(port)))
    result.push_back(entry.endpoint());
  return result;
}

milliseconds remaining(clock_type::time_point deadline) {
  return std::max(milliseconds{1}, std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()));
}

enum class on_timeout { close_socket, cancel_only };

// Runs one asynchronous operation to completion on `ioc`, or gives up at the timeout: the
// socket is closed (or its operations cancelled) and timed_out is returned.
template <class Start>
beast::error_code run_with_timeout(net::io_context& ioc, tcp::socket& socket, milliseconds timeout, Start&& start,
                                   on_timeout mode = on_timeout::close_socket) {
  std::optional<beast::error_code> result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run_for(timeout);
  if (result)
    return *result;
  beast::error_code ignored;
  if (mode == on_timeout::close_socket)
    socket.close(ignored);
  else
    socket.cancel(ignored);
  ioc.restart();
  ioc.run();
  return net::error::timed_out;
}

std::string describe(std::string_view step, const beast::error_code& ec) {
  return std::string(step) + ": " + ec.message();
}

// Connects and completes the TLS handshake.
void open_tls(net::io_context& ioc, tls_stream& stream, const std::string& host, std::uint16_t port,
              clock_type::time_point deadline) {
  auto& socket = stream.next_layer();
  const auto endpoints = resolve(host, port);
  if (auto ec = run_with_timeout(ioc, socket, remaining(deadline),
                                 [&](auto handler) { net::async_connect(socket, endpoints, std::move(handler)); }))
    throw std::runtime_error(describe("connect to " + host + ":" + std::to_string(port), ec));
  if (auto ec = run_with_timeout(ioc, socket, remaining(deadline), [&](auto handler) {
        stream.async_handshake(ssl::stream_base::client, std::move(handler));
      }))
    throw std::runtime_error(describe("TLS handshake", ec));
}

} // namespace

// ---------------------------------------------------------------------------------------------
// https_client

nlohmann::json http_response::json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

std::string http_response::header(const std::string& name) const {
  const auto found = headers.find(name);
  return found == headers.end() ? std::string() : found->second;
}

std::string http_response::describe() const {
  return "HTTP " + std::to_string(status) + ": " + (body.size() > 2000 ? body.substr(0, 2000) + "..." : body);
}

std::pair<std::string, std::string> bearer(std::string_view token) {
  return {"Authorization", "Bearer " + std::string(token)};
}

https_client::https_client(std::string host, std::uint16_t port, milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

http_response https_client::get(std::string_view target, const header_list& headers) {
  return request("GET", target, {}, headers);
}

http_response https_client::post_json(std::string_view target, const nlohmann::json& body, const header_list& headers) {
  return request("POST", target, body.dump(), headers);
}

http_response https_client::request(std::string_view method, std::string_view target, std::string body,
                                    const header_list& headers, std::string_view content_type) {
  const auto deadline = clock_type::now() + timeout_;
  net::io_context ioc;
  tls_stream stream(ioc, client_tls_context());
  auto& socket = stream.next_layer();
  open_tls(ioc, stream, host_, port_, deadline);

  http::request<http::string_body> req;
  if (const auto verb = http::string_to_verb(bsv(method)); verb != http::verb::unknown)
    req.method(verb);
  else
    req.method_string(bsv(method));
  req.target(bsv(target));
  req.version(11);
  req.set(http::field::host, host_ + ":" + std::to_string(port_));
  req.set(http::field::user_agent, "parley-integration-tests");
  req.keep_alive(false);
  if (!body.empty())
    req.set(http::field::content_type, bsv(content_type));
  for (const auto& [name, value] : headers)
    req.set(name, value);
  const bool large = body.size() > 64 * 1024;
  req.body() = std::move(body);
  req.prepare_payload();

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  auto read_response = [&](milliseconds timeout, on_timeout mode) {
    return run_with_timeout(
      ioc, socket, timeout, [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); }, mode);
  };

  beast::error_code write_ec;
  beast::error_code read_ec = net::error::not_connected;
  http::request_serializer<http::string_body> serializer(req);
  if (large) {
    // A server may refuse a large body from its headers alone (413) and close: look for that
    // answer before pushing the body into a connection the server no longer reads.
    write_ec = run_with_timeout(ioc, socket, remaining(deadline), [&](auto handler) {
      http::async_write_header(stream, serializer, std::move(handler));
    });
    if (!write_ec) {
      read_ec = read_response(std::min(milliseconds{1000}, remaining(deadline)), on_timeout::cancel_only);
      if (read_ec == net::error::timed_out)
        read_ec = net::error::not_connected;
    }
  }
  if (!write_ec && read_ec) {
    write_ec = run_with_timeout(ioc, socket, remaining(deadline), [&](auto handler) {
      http::async_write(stream, serializer, std::move(handler));
    });
    // Even after a failed write the server may have answered before it stopped reading.
    read_ec = read_response(remaining(deadline), on_timeout::close_socket);
  }
  if (read_ec) {
    std::string why = describe("reading the response to " + std::string(method) + " " + std::string(target), read_ec);
    if (write_ec)
      why += " (after " + describe("writing the request", write_ec) + ")";
    throw std::runtime_error(why);
  }

  http_response result;
  const auto& res = parser.get();
  result.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    result.headers[name] = std::string(field.value());
  }
  result.body = res.body();
  beast::error_code ignored;
  socket.close(ignored);
  return result;
}

// ---------------------------------------------------------------------------------------------
// ws_client

struct ws_client::impl {
  net::io_context ioc;
  wss_stream ws{ioc, client_tls_context()};
  beast::flat_buffer buffer;
  bool open = false;
  std::optional<int> close_code;
  std::string last_error;

  tcp::socket& socket() { return ws.next_layer().next_layer(); }

  template <class Start>
  beast::error_code run(milliseconds timeout, Start&& start) {
    return run_with_timeout(ioc, socket(), timeout, std::forward<Start>(start));
  }
};

ws_client::ws_client(const std::string& host, std::uint16_t port, milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
  const auto deadline = clock_type::now() + timeout;
  open_tls(impl_->ioc, impl_->ws.next_layer(), host, port, deadline);
  impl_->ws.set_option(websocket::stream_base::decorator(
    [](websocket::request_type& req) { req.set(http::field::user_agent, "parley-integration-tests"); }));
  impl_->ws.read_message_max(64 * 1024 * 1024);
  impl_->ws.auto_fragment(false); // one send_raw is one frame, as the size-limit tests need
  const auto host_header = host + ":" + std::to_string(port);
  if (auto ec = impl_->run(remaining(deadline),
                           [&](auto handler) { impl_->ws.async_handshake(host_header, "/ws", std::move(handler)); }))
    throw std::runtime_error(describe("WebSocket upgrade on /ws", ec));
  impl_->ws.binary(true);
  impl_->open = true;
}

ws_client::~ws_client() {
  if (impl_ && impl_->open) {
    try {
      close();
    } catch (...) {
    }
  }
}

ws_client::ws_client(ws_client&&) noexcept = default;
ws_client& ws_client::operator=(ws_client&&) noexcept = default;

std::uint64_t ws_client::send_request(std::string_view op, const nlohmann::json& args) {
  const auto id = next_id_++;
  send_request(op, id, args);
  return id;
}

void ws_client::send_request(std::string_view op, std::uint64_t id, const nlohmann::json& args) {
  send_raw(encode_request(op, id, args));
}

void ws_client::send_raw(std::string_view bytes) {
  if (!impl_->open)
    throw std::runtime_error("ws_client: send on a closed connection");
  if (auto ec = impl_->run(std::chrono::seconds{10}, [&](auto handler) {
        impl_->ws.async_write(net::buffer(bytes.data(), bytes.size()), std::move(handler));
      })) {
    impl_->open = false;
    impl_->last_error = describe("WebSocket write", ec);
    throw std::runtime_error(impl_->last_error);
  }
}

ws_frame ws_client::next(milliseconds timeout) {
  ws_frame frame;
  if (!impl_->open) {
    frame.what = impl_->close_code ? ws_frame::kind::closed : ws_frame::kind::failed;
    frame.close_code = impl_->close_code.value_or(0);
    frame.error = "connection is not open";
    return frame;
  }
  impl_->buffer.clear();
  const auto ec = impl_->run(timeout, [&](auto handler) { impl_->ws.async_read(impl_->buffer, std::move(handler)); });
  if (!ec) {
    frame.what = ws_frame::kind::message;
    frame.bytes = beast::buffers_to_string(impl_->buffer.data());
    try {
      frame.value = msgpack_to_json(frame.bytes);
    } catch (const std::exception& e) {
      frame.value = nlohmann::json(nlohmann::json::value_t::discarded);
      frame.error = e.what();
    }
    return frame;
  }
  impl_->open = false;
  // A close frame arrived even if the TLS teardown after it failed: that still is a close.
  if (ec == websocket::error::closed || impl_->ws.reason().code != websocket::close_code::none) {
    const int code = impl_->ws.reason().code;
    impl_->close_code = code == 0 ? 1005 : code;
    frame.what = ws_frame::kind::closed;
    frame.close_code = *impl_->close_code;
    return frame;
  }
  frame.what = ws_frame::kind::failed;
  frame.error = ec == net::error::timed_out ? "no frame within " + std::to_string(timeout.count()) + " ms"
                                            : describe("WebSocket read", ec);
  impl_->last_error = frame.error;
  return frame;
}

namespace {

std::string frame_failure(const ws_frame& frame) {
  if (frame.what == ws_frame::kind::closed)
    return "the server closed the WebSocket with code " + std::to_string(frame.close_code);
  return frame.error;
}

} // namespace

nlohmann::json ws_client::read(milliseconds timeout) {
  auto frame = next(timeout);
  if (frame.what != ws_frame::kind::message)
    throw std::runtime_error(frame_failure(frame));
  if (frame.value.is_discarded())
    throw std::runtime_error("undecodable frame from the server: " + frame.error);
  return frame.value;
}

nlohmann::json ws_client::read_response(std::uint64_t id, milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  for (;;) {
    auto frame = read(remaining(deadline));
    if (frame.is_object() && frame.contains("ev"))
      continue;
    if (frame.is_object() && frame.contains("re") && frame["re"] == id)
      return frame;
    throw std::runtime_error("expected the response to request " + std::to_string(id) + ", got " + frame.dump());
  }
}

nlohmann::json ws_client::call(std::string_view op, const nlohmann::json& args, milliseconds timeout) {
  return read_response(send_request(op, args), timeout);
}

nlohmann::json ws_client::hello(std::string_view token) {
  return call("auth.hello", {{"token", token}});
}

std::optional<int> ws_client::wait_closed(milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (impl_->close_code)
      return impl_->close_code;
    if (!impl_->open || clock_type::now() >= deadline)
      return std::nullopt;
    const auto frame = next(remaining(deadline));
    if (frame.what == ws_frame::kind::closed)
      return frame.close_code;
    if (frame.what == ws_frame::kind::failed)
      return std::nullopt;
  }
}

std::optional<int> ws_client::close_code() const {
  return impl_->close_code;
}

const std::string& ws_client::last_error() const {
  return impl_->last_error;
}

bool ws_client::is_open() const {
  return impl_ && impl_->open;
}

void ws_client::close(int code) {
  if (!impl_->open)
    return;
  impl_->open = false;
  impl_->run(std::chrono::seconds{2}, [&](auto handler) {
    impl_->ws.async_close(websocket::close_reason(static_cast<std::uint16_t>(code)), std::move(handler));
  });
  beast::error_code ignored;
  impl_->socket().close(ignored);
}

bool is_ws_error(const nlohmann::json& response, std::string_view code) {
  if (!response.is_object() || !response.contains("re") || response.value("ok", true) != false)
    return false;
  const auto error = response.find("error");
  return error != response.end() && error->is_object() && error->value("code", std::string()) == code &&
         error->contains("message") && (*error)["message"].is_string();
}

bool is_ws_ok(const nlohmann::json& response) {
  return response.is_object() && response.contains("re") && response.value("ok", false) == true &&
         response.contains("result") && response["result"].is_object();
}

// ---------------------------------------------------------------------------------------------
// ws_swarm

namespace {

class swarm_connection;

} // namespace

struct ws_swarm::impl {
  std::string host;
  std::uint16_t port;
  net::io_context ioc;
  tcp::endpoint endpoint;
  std::vector<std::shared_ptr<swarm_connection>> connections; // after ioc: destroyed first
  std::vector<std::string> errors;
  bool aborting = false; // set while a timed-out phase winds down: start nothing new

  void record_error(std::string what) {
    if (errors.size() < 10 && std::find(errors.begin(), errors.end(), what) == errors.end())
      errors.push_back(std::move(what));
  }

  // Runs the loop until `done()` or the deadline; then aborts what is still in flight.
  void run_until(clock_type::time_point deadline, const std::function<bool()>& done);
  void abort_busy();
};

namespace {

// One connection of the swarm: a chain of asynchronous steps, each ending in `finish(ok)`.
class swarm_connection : public std::enable_shared_from_this<swarm_connection> {
public:
  explicit swarm_connection(ws_swarm::impl& owner) : owner_(owner), ws_(owner.ioc, client_tls_context()) {}

  bool authenticated() const { return authenticated_ && !failed_; }
  bool busy() const { return busy_; }

  void open(std::string token, std::function<void(bool)> done) {
    begin(std::move(done));
    token_ = std::move(token);
    auto self = shared_from_this();
    ws_.next_layer().next_layer().async_connect(owner_.endpoint, [self](beast::error_code ec) {
      if (ec)
        return self->fail("connect", ec);
      self->ws_.next_layer().async_handshake(ssl::stream_base::client, [self](beast::error_code ec2) {
        if (ec2)
          return self->fail("TLS handshake", ec2);
        const auto host = self->owner_.host + ":" + std::to_string(self->owner_.port);
        self->ws_.async_handshake(host, "/ws", [self](beast::error_code ec3) {
          if (ec3)
            return self->fail("WebSocket upgrade", ec3);
          self->ws_.binary(true);
          self->ws_.auto_fragment(false);
          self->request("auth.hello", 1, {{"token", self->token_}}, true);
        });
      });
    });
  }

  void ping(std::uint64_t id, std::function<void(bool)> done) {
    begin(std::move(done));
    request("sys.ping", id, nlohmann::json::object(), false);
  }

  void close(std::function<void(bool)> done) {
    begin(std::move(done));
    auto self = shared_from_this();
    ws_.async_close(websocket::close_code::normal, [self](beast::error_code ec) {
      self->authenticated_ = false;
      beast::error_code ignored;
      self->ws_.next_layer().next_layer().close(ignored);
      self->finish(!ec);
    });
  }

  void abort() {
    beast::error_code ignored;
    ws_.next_layer().next_layer().close(ignored);
  }

private:
  void begin(std::function<void(bool)> done) {
    busy_ = true;
    done_ = std::move(done);
  }

  void finish(bool ok) {
    busy_ = false;
    auto done = std::move(done_);
    done_ = nullptr;
    if (done)
      done(ok);
  }

  void fail(std::string_view step, const beast::error_code& ec) {
    failed_ = true;
    owner_.record_error(describe(step, ec));
    abort();
    finish(false);
  }

  void request(std::string_view op, std::uint64_t id, const nlohmann::json& args, bool is_hello) {
    out_ = encode_request(op, id, args);
    awaiting_ = id;
    auto self = shared_from_this();
    ws_.async_write(net::buffer(out_), [self, is_hello](beast::error_code ec, std::size_t) {
      if (ec)
        return self->fail("write", ec);
      self->await_response(is_hello);
    });
  }

  void await_response(bool is_hello) {
    buffer_.clear();
    auto self = shared_from_this();
    ws_.async_read(buffer_, [self, is_hello](beast::error_code ec, std::size_t) {
      if (ec)
        return self->fail("read", ec);
      nlohmann::json frame;
      try {
        frame = msgpack_to_json(beast::buffers_to_string(self->buffer_.data()));
      } catch (const std::exception& e) {
        self->owner_.record_error(std::string("undecodable frame: ") + e.what());
        self->failed_ = true;
        return self->finish(false);
      }
      if (frame.is_object() && frame.contains("ev"))
        return self->await_response(is_hello);
      if (frame.is_object() && frame.value("re", nlohmann::json()) == self->awaiting_ && is_ws_ok(frame)) {
        if (is_hello)
          self->authenticated_ = true;
        return self->finish(true);
      }
      self->owner_.record_error("unexpected response: " + frame.dump());
      return self->finish(false);
    });
  }

  ws_swarm::impl& owner_;
  wss_stream ws_;
  beast::flat_buffer buffer_;
  std::string out_;
  std::string token_;
  std::uint64_t awaiting_ = 0;
  bool busy_ = false;
  bool failed_ = false;
  bool authenticated_ = false;
  std::function<void(bool)> done_;
};

} // namespace

void ws_swarm::impl::abort_busy() {
  for (auto& connection : connections)
    if (connection->busy())
      connection->abort();
}

void ws_swarm::impl::run_until(clock_type::time_point deadline, const std::function<bool()>& done) {
  while (!done()) {
    if (clock_type::now() >= deadline) {
      record_error("timed out");
      aborting = true;
      abort_busy();
      ioc.restart();
      ioc.run();
      aborting = false;
      return;
    }
    ioc.restart();
    ioc.run_for(std::min(milliseconds{50}, remaining(deadline)));
    if (ioc.stopped() && !done())
      return; // nothing left in flight: waiting longer cannot help
  }
}

ws_swarm::ws_swarm(std::string host, std::uint16_t port) : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->endpoint = resolve(impl_->host, port).at(0);
}

ws_swarm::~ws_swarm() {
  for (auto& connection : impl_->connections)
    connection->abort();
  impl_->ioc.restart();
  impl_->ioc.run();
  impl_->connections.clear();
}

std::size_t ws_swarm::connect_and_hello(std::size_t count, const std::string& token, milliseconds timeout,
                                        std::size_t in_flight) {
  const auto deadline = clock_type::now() + timeout;
  std::size_t started = 0;
  std::size_t finished = 0;
  std::size_t ok = 0;
  bool stopping = false;
  std::function<void()> launch = [&] {
    while (!stopping && !impl_->aborting && started < count && started - finished < std::max<std::size_t>(in_flight, 1)) {
      auto connection = std::make_shared<swarm_connection>(*impl_);
      impl_->connections.push_back(connection);
      ++started;
      connection->open(token, [&](bool success) {
        ++finished;
        ok += success ? 1 : 0;
        launch();
      });
    }
  };
  launch();
  impl_->run_until(deadline, [&] { return finished == count; });
  stopping = true;
  return ok;
}

std::size_t ws_swarm::ping_all(milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  std::size_t started = 0;
  std::size_t finished = 0;
  std::size_t ok = 0;
  std::uint64_t id = 1000;
  for (auto& connection : impl_->connections) {
    if (!connection->authenticated())
      continue;
    ++started;
    connection->ping(++id, [&](bool success) {
      ++finished;
      ok += success ? 1 : 0;
    });
  }
  impl_->run_until(deadline, [&] { return finished == started; });
  return ok;
}

std::size_t ws_swarm::open_count() const {
  return static_cast<std::size_t>(std::count_if(impl_->connections.begin(), impl_->connections.end(),
                                                [](const auto& connection) { return connection->authenticated(); }));
}

std::vector<std::string> ws_swarm::errors() const {
  return impl_->errors;
}

void ws_swarm::close_all(milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  std::size_t started = 0;
  std::size_t finished = 0;
  for (auto& connection : impl_->connections) {
    if (!connection->authenticated())
      continue;
    ++started;
    connection->close([&](bool) { ++finished; });
  }
  impl_->run_until(deadline, [&] { return finished == started; });
  for (auto& connection : impl_->connections)
    connection->abort();
  impl_->ioc.restart();
  impl_->ioc.run();
  impl_->connections.clear();
}

} // namespace parley::test_support
