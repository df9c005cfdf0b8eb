// The benchmarks' one Beast client translation unit: HTTPS POST and the asynchronous WSS connection pool.
#include "benchmarks/wss_load_client.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace parley::bench {

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto connect_timeout = std::chrono::seconds{30};

ssl::context make_client_tls_context() {
  ssl::context ctx{ssl::context::tls_client};
  ctx.set_verify_mode(ssl::verify_none);
  // 10,000 client connections live in this process too; idle ones need not keep record buffers.
  SSL_CTX_set_mode(ctx.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

/// Runs jobs 0..total-1 with at most `width` running; a job calls finish() when it is done.
struct window : std::enable_shared_from_this<window> {
  std::mutex mutex;
  std::condition_variable cv;
  size_t total = 0;
  size_t width = 1;
  size_t next = 0;
  size_t done = 0;
  std::function<void(size_t)> start;

  void begin() {
    std::vector<size_t> first;
    {
      std::lock_guard guard{mutex};
      while (next < total && next < width)
        first.push_back(next++);
    }
    for (auto i : first)
      start(i);
  }
  void finish() {
    std::optional<size_t> follow;
    {
      std::lock_guard guard{mutex};
      ++done;
      if (next < total)
        follow = next++;
      if (done == total)
        cv.notify_all();
    }
    if (follow)
      start(*follow);
  }
  /// False if the deadline passed first.
  bool wait_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock{mutex};
    return cv.wait_until(lock, deadline, [this] { return done == total; });
  }
};

struct connection;

/// One exchange; the connections taking part hold it, so a reply after a timeout is harmless.
struct exchange_state : std::enable_shared_from_this<exchange_state> {
  std::mutex mutex;
  std::vector<std::shared_ptr<connection>> targets;
  std::vector<frame> requests;
  std::vector<frame> replies;
  std::vector<std::chrono::steady_clock::time_point> sent_at;
  std::vector<double> round_trip_us;
  std::shared_ptr<window> jobs;
  std::atomic<bool> cancelled{false};
};

struct loop_state {
  frame request;
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable cv;
  size_t running = 0;
  size_t failed = 0;
  std::vector<frame> last_replies;

  void finished(size_t slot, frame last, bool failed_connection) {
    std::lock_guard guard{mutex};
    last_replies[slot] = std::move(last);
    failed += failed_connection ? 1 : 0;
    if (--running == 0)
      cv.notify_all();
  }
};

/// One WebSocket connection; all of its state is touched only by its io_context's one thread.
struct connection : std::enable_shared_from_this<connection> {
  enum class mode { idle, exchange, loop };

  connection(asio::io_context& ioc, ssl::context& tls) : ws(ioc.get_executor(), tls) {}

  size_t index = 0;                                         // in the pool
  const wss_load_client::frame_observer* observer = nullptr; // events, when set
  websocket::stream<tls_stream> ws;
  beast::flat_buffer buffer;
  bool broken = false;
  mode what = mode::idle;
  size_t slot = 0; // this connection's index in the current exchange or loop
  std::shared_ptr<exchange_state> exchange;
  std::shared_ptr<loop_state> loop;
  std::atomic<uint64_t> replies{0};
  // Streaming mode: unsolicited frames go to `stream`; posted frames wait in `outbox`.
  std::shared_ptr<const std::function<void(size_t, const frame&)>> stream;
  std::deque<frame> outbox; // frames from send_on and streaming, one write in flight
  bool writing = false;

  void queue(frame bytes) {
    outbox.push_back(std::move(bytes));
    if (!writing)
      write_queued();
  }

  void write_queued() {
    if (outbox.empty() || broken) {
      writing = false;
      return;
    }
    writing = true;
    ws.async_write(asio::buffer(outbox.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      self->outbox.pop_front();
      if (ec) {
        self->fail();
        return;
      }
      self->write_queued();
    });
  }

  void open(tcp::endpoint endpoint, std::string host, std::function<void(beast::error_code)> done) {
    auto& lowest = beast::get_lowest_layer(ws);
    lowest.expires_after(connect_timeout);
    lowest.async_connect(endpoint, [self = shared_from_this(), host, done](beast::error_code ec) mutable {
      if (ec)
        return done(ec);
      beast::get_lowest_layer(self->ws).socket().set_option(tcp::no_delay(true));
      self->ws.next_layer().async_handshake(ssl::stream_base::client, [self, host, done](beast::error_code ec) mutable {
        if (ec)
          return done(ec);
        beast::get_lowest_layer(self->ws).expires_never();
        self->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        self->ws.set_option(websocket::stream_base::decorator(
          [](websocket::request_type& req) { req.set(http::field::user_agent, "parley-bench"); }));
        self->ws.binary(true);
        self->ws.async_handshake(host, "/ws", [self, done](beast::error_code ec) mutable {
          if (!ec)
            self->read_next();
          done(ec);
        });
      });
    });
  }

  void read_next() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void send(const frame& bytes) {
    ws.async_write(asio::buffer(bytes), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec)
        self->fail();
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      fail();
      return;
    }
    replies.fetch_add(1, std::memory_order_relaxed);
    switch (what) {
    case mode::loop:
      if (loop->stop.load(std::memory_order_relaxed)) {
        what = mode::idle;
        loop->finished(slot, take_message(), false);
        loop.reset();
      } else {
        buffer.consume(buffer.size());
        send(loop->request);
      }
      break;
    case mode::exchange: {
      what = mode::idle;
      auto state = std::move(exchange);
      {
        std::lock_guard guard{state->mutex};
        state->round_trip_us[slot] =
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - state->sent_at[slot]).count();
        state->replies[slot] = take_message();
      }
      state->jobs->finish();
      break;
    }
    case mode::idle:
      if (stream) {
        (*stream)(index, take_message());
        break;
      }
      if (observer && *observer) {
        auto data = buffer.cdata();
        (*observer)(index, static_cast<const uint8_t*>(data.data()), data.size(), std::chrono::steady_clock::now());
      }
      buffer.consume(buffer.size()); // an unsolicited frame (an event)
      break;
    }
    read_next();
  }

  frame take_message() {
    auto data = buffer.cdata();
    auto* begin = static_cast<const uint8_t*>(data.data());
    frame bytes(begin, begin + data.size());
    buffer.consume(buffer.size());
    return bytes;
  }

  void fail() {
    if (broken)
      return;
    broken = true;
    if (what == mode::loop) {
      loop->finished(slot, {}, true);
      loop.reset();
    } else if (what == mode::exchange) {
      exchange->jobs->finish();
      exchange.reset();
    }
    what = mode::idle;
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
  }
};

} // namespace

/// One io_context per thread, each connection bound to one of them: a connection's handlers
/// never run on two threads, and the threads share nothing but the counters.
struct wss_load_client::impl {
  explicit impl(size_t thread_count) : tls(make_client_tls_context()) {
    for (size_t i = 0; i < std::max<size_t>(thread_count, 1); ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
      work.push_back(asio::make_work_guard(*contexts.back()));
    }
    for (auto& ioc : contexts)
      threads.emplace_back([&ioc = *ioc] { ioc.run(); });
  }
  ~impl() {
    close_sockets();
    work.clear();
    for (auto& ioc : contexts)
      ioc->stop();
    for (auto& t : threads)
      t.join();
    connections.clear();
  }

  asio::io_context& next_context() { return *contexts[next_ioc++ % contexts.size()]; }

  void close_sockets() {
    for (auto& c : connections)
      asio::post(c->ws.get_executor(), [c] {
        beast::error_code ignored;
        beast::get_lowest_layer(c->ws).socket().close(ignored);
      });
  }

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  ssl::context tls;
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<connection>> connections;
  size_t next_ioc = 0;
  wss_load_client::frame_observer observer;
};

wss_load_client::wss_load_client(size_t threads) : impl_(std::make_unique<impl>(threads)) {
}

wss_load_client::~wss_load_client() = default;

size_t wss_load_client::size() const {
  return impl_->connections.size();
}

void wss_load_client::observe(frame_observer observer) {
  impl_->observer = std::move(observer);
}

void wss_load_client::send_on(size_t i, frame bytes) {
  auto c = impl_->connections.at(i);
  asio::post(c->ws.get_executor(), [c, bytes = std::move(bytes)]() mutable {
    if (c->broken)
      return;
    c->queue(std::move(bytes));
  });
}

size_t wss_load_client::connect(const std::string& host, uint16_t port, size_t count, size_t in_flight,
                                std::string& error) {
  auto& d = *impl_;
  beast::error_code ec;
  tcp::endpoint endpoint{asio::ip::make_address(host, ec), port};
  if (ec) {
    error = host + " is not an IP address";
    return 0;
  }
  auto host_port = host + ":" + std::to_string(port);
  std::vector<std::shared_ptr<connection>> fresh(count);
  std::vector<char> opened(count, 0);
  std::mutex first_error_mutex;
  std::string first_error;
  auto jobs = std::make_shared<window>();
  jobs->total = count;
  jobs->width = std::max<size_t>(in_flight, 1);
  std::vector<asio::io_context*> homes(count);
  for (auto& home : homes)
    home = &d.next_context();
  jobs->start = [&, jobs_raw = jobs.get()](size_t i) {
    fresh[i] = std::make_shared<connection>(*homes[i], d.tls);
    fresh[i]->observer = &d.observer;
    asio::post(fresh[i]->ws.get_executor(), [&, i, jobs_raw] {
      fresh[i]->open(endpoint, host_port, [&, i, jobs_raw](beast::error_code ec) {
        if (ec) {
          std::lock_guard guard{first_error_mutex};
          if (first_error.empty())
            first_error = "connection " + std::to_string(i) + ": " + ec.message();
        } else {
          opened[i] = 1;
        }
        jobs_raw->finish();
      });
    });
  };
  if (count > 0) {
    jobs->begin();
    jobs->wait_until(std::chrono::steady_clock::time_point::max());
  }
  size_t ok = 0;
  for (size_t i = 0; i < count; ++i)
    if (opened[i]) {
      fresh[i]->index = d.connections.size(); // set before the connection sees its first exchange
      d.connections.push_back(std::move(fresh[i]));
      ++ok;
    }
  error = first_error;
  return ok;
}

std::vector<frame> wss_load_client::exchange(const std::vector<size_t>& which, const std::function<frame(size_t)>& frame_of,
                                             size_t in_flight, std::chrono::milliseconds timeout,
                                             std::vector<double>* round_trip_us) {
  auto& d = *impl_;
  auto state = std::make_shared<exchange_state>();
  state->replies.resize(which.size());
  state->sent_at.resize(which.size());
  state->round_trip_us.resize(which.size());
  for (auto i : which) {
    state->targets.push_back(d.connections.at(i));
    state->requests.push_back(frame_of(i));
  }
  auto jobs = std::make_shared<window>();
  jobs->total = which.size();
  jobs->width = std::max<size_t>(in_flight, 1);
  // start() runs from this thread or from a connection holding the state, so the state is alive.
  jobs->start = [state_raw = state.get()](size_t job) {
    auto state = state_raw->shared_from_this();
    if (state->cancelled) {
      state->jobs->finish();
      return;
    }
    auto c = state->targets[job];
    asio::post(c->ws.get_executor(), [c, job, state] {
      if (c->broken) {
        state->jobs->finish();
        return;
      }
      c->what = connection::mode::exchange;
      c->slot = job;
      c->exchange = state;
      {
        std::lock_guard guard{state->mutex};
        state->sent_at[job] = std::chrono::steady_clock::now();
      }
      c->send(state->requests[job]);
    });
  };
  state->jobs = jobs;
  if (!which.empty()) {
    jobs->begin();
    jobs->wait_until(std::chrono::steady_clock::now() + timeout);
  }
  state->cancelled = true;
  std::lock_guard guard{state->mutex};
  if (round_trip_us)
    *round_trip_us = state->round_trip_us;
  return state->replies;
}

loop_result wss_load_client::closed_loop(const frame& request, std::chrono::milliseconds warmup,
                                         std::chrono::milliseconds measure) {
  auto& d = *impl_;
  auto state = std::make_shared<loop_state>();
  state->request = request;
  state->running = d.connections.size();
  state->last_replies.resize(d.connections.size());
  auto count = [&d] {
    uint64_t sum = 0;
    for (auto& c : d.connections)
      sum += c->replies.load(std::memory_order_relaxed);
    return sum;
  };
  for (size_t i = 0; i < d.connections.size(); ++i) {
    auto c = d.connections[i];
    asio::post(c->ws.get_executor(), [c, i, state] {
      if (c->broken) {
        state->finished(i, {}, true);
        return;
      }
      c->what = connection::mode::loop;
      c->slot = i;
      c->loop = state;
      c->send(state->request);
    });
  }
  std::this_thread::sleep_for(warmup);
  auto first = count();
  auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(measure);
  auto last = count();
  auto ended = std::chrono::steady_clock::now();
  state->stop = true;
  loop_result result;
  result.round_trips = last - first;
  result.seconds = std::chrono::duration<double>(ended - started).count();
  std::unique_lock lock{state->mutex};
  state->cv.wait_for(lock, std::chrono::seconds{30}, [&] { return state->running == 0; });
  result.failed_connections = state->failed + state->running;
  result.last_replies = state->last_replies;
  return result;
}

void wss_load_client::stream_to(frame_handler on_frame) {
  auto shared = std::make_shared<const frame_handler>(std::move(on_frame));
  for (size_t i = 0; i < impl_->connections.size(); ++i) {
    auto c = impl_->connections[i];
    asio::post(c->ws.get_executor(), [c, i, shared] {
      c->index = i;
      c->stream = shared;
    });
  }
}

void wss_load_client::post_frame(size_t i, frame bytes) {
  auto c = impl_->connections.at(i);
  asio::post(c->ws.get_executor(), [c, bytes = std::move(bytes)]() mutable { c->queue(std::move(bytes)); });
}

void wss_load_client::close_all() {
  impl_->close_sockets();
  // The posted closes hold their connections; the pool forgets them now.
  impl_->connections.clear();
}

http_result https_post(const std::string& host, uint16_t port, const std::string& target, const std::string& body) {
  return https_request(host, port, "POST", target, body);
}

http_result https_request(const std::string& host, uint16_t port, std::string_view method, const std::string& target,
                          const std::string& body, const std::string& bearer_token) {
  http_result result;
  try {
    asio::io_context ioc;
    auto tls = make_client_tls_context();
    tls_stream stream{ioc, tls};
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(std::chrono::seconds{30});
    lowest.connect(tcp::endpoint{asio::ip::make_address(host), port});
    stream.handshake(ssl::stream_base::client);
    http::request<http::string_body> req{http::string_to_verb(beast::string_view{method.data(), method.size()}), target, 11};
    if (!bearer_token.empty())
      req.set(http::field::authorization, "Bearer " + bearer_token);
    req.set(http::field::host, host + ":" + std::to_string(port));
    req.set(http::field::content_type, "application/json");
    req.set(http::field::user_agent, "parley-bench");
    req.keep_alive(false);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    result.status = res.result_int();
    result.body = std::move(res.body());
    beast::error_code ignored;
    stream.shutdown(ignored); // the server may cut the TLS close short; the response is complete
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

} // namespace parley::bench
