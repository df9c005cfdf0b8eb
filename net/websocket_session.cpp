// WebSocket connection: Beast on one strand; the session actor on CAF's scheduler; a bounded queue between.
#include "net/websocket_session.hpp"

#include <iterator>

#include <caf/all.hpp>

#include "actors/inline_delivery.hpp"
#include "actors/session.hpp"
#include "actors/session_messages.hpp"
#include "net/server_frame.hpp"
#include "telemetry/logger.hpp"

namespace parley::net {

namespace {

/// The session actor's view of this connection. Holds it weakly: a late frame for a closed
/// connection is dropped rather than keeping the connection alive.
class websocket_sink final : public actors::outbound_sink {
public:
  explicit websocket_sink(std::weak_ptr<websocket_session> ws) : ws_(std::move(ws)) {}
  void send(std::vector<uint8_t> frame) override {
    if (auto ws = ws_.lock())
      ws->enqueue(std::move(frame));
  }
  void send_shared(std::shared_ptr<const std::vector<uint8_t>> frame) override {
    if (auto ws = ws_.lock())
      ws->enqueue_shared(std::move(frame));
  }
  void close(uint16_t code, std::string) override {
    if (auto ws = ws_.lock())
      ws->close(code);
  }

private:
  std::weak_ptr<websocket_session> ws_;
};

// Read buffers grow to the largest message seen; an idle connection should not keep that.
constexpr size_t retained_read_buffer = 4096;
// Nor should it keep the frame lists of a burst.
constexpr size_t retained_queue_slots = 64;
// Frames up to this size are copied together into one TLS write; bigger ones (a roster batch)
// are written from the bytes every recipient shares.
constexpr size_t copied_frame_limit = 4096;
// One batch carries at most this many payload bytes (or one frame, if bigger), so a client that
// reads gets its queue space back as each batch is written, not only once a whole burst is out.
constexpr size_t batch_byte_cap = 64 * 1024;

} // namespace

websocket_session::websocket_session(tls_stream&& stream, std::unique_ptr<connection_slot> slot,
                                     std::string remote_address)
  : ws_(std::move(stream)), slot_(std::move(slot)), remote_address_(std::move(remote_address)) {
}

websocket_session::~websocket_session() {
  on_gone();
}

void websocket_session::run(http::request<http::string_body> request) {
  auto& settings = slot_->shared().settings;
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = settings.handshake_timeout;
  timeouts.idle_timeout = settings.ws_idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
    [](websocket::response_type& res) { res.set(http::field::server, "parley"); }));
  ws_.read_message_max(settings.ws_max_frame);
  ws_.binary(true);
  ws_.auto_fragment(false);
  ws_.next_layer().set_owner(weak_from_this());
  slot_->shared().connections.put(slot_->id(), weak_from_this());
  upgrade_request_ = std::make_unique<http::request<http::string_body>>(std::move(request));
  ws_.async_accept(*upgrade_request_, beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
}

void websocket_session::on_accept(beast::error_code ec) {
  upgrade_request_.reset();
  if (ec)
    return;
  auto& shared = slot_->shared();
  if (shared.shutting_down) {
    start_close(1001);
    return;
  }
  session_ = actors::spawn_session(shared.system, shared.ctx, std::make_shared<websocket_sink>(weak_from_this()),
                                   remote_address_);
  read_next();
}

void websocket_session::read_next() {
  ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
}

void websocket_session::on_read(beast::error_code ec, size_t bytes) {
  if (ec) {
    on_gone();
    return;
  }
  slot_->shared().metrics.ws_frames_in.add();
  if (ws_.got_text()) {
    actors::deliver_inline(session_, caf::make_message(actors::text_frame_atom::value));
  } else {
    auto data = buffer_.cdata();
    auto* begin = static_cast<const uint8_t*>(data.data());
    actors::deliver_inline(session_, caf::make_message(actors::frame_atom::value,
                                                       std::vector<uint8_t>(begin, begin + data.size())));
  }
  buffer_.consume(bytes);
  if (buffer_.capacity() > retained_read_buffer)
    buffer_ = beast::flat_buffer{};
  read_next();
}

void websocket_session::enqueue(std::vector<uint8_t> frame) {
  enqueue_shared(std::make_shared<const std::vector<uint8_t>>(std::move(frame)));
}

void websocket_session::enqueue_shared(frame_bytes frame) {
  bool start_writer = false;
  {
    std::lock_guard guard{mutex_};
    if (closed_)
      return;
    if (queued_bytes_ + frame->size() > slot_->shared().settings.ws_outbound_limit) {
      closed_ = true;
      slot_->shared().metrics.ws_slow_consumers.add();
      telemetry::logger("edge")->warn("disconnecting {}: it does not read its frames (queue over {} bytes)",
                                      remote_address_, slot_->shared().settings.ws_outbound_limit);
      // A reader that does not read would never finish a close handshake: drop the socket.
      asio::post(ws_.get_executor(), [self = shared_from_this()] {
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(self->ws_).close(ignored);
      });
      return;
    }
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
    if (!writing_) {
      writing_ = true;
      start_writer = true;
    }
  }
  if (start_writer)
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->write_next(); });
}

// What is queued goes out in batches of up to batch_byte_cap: each frame's header and payload
// appended to one buffer, sent with as few TLS writes as its size allows.
void websocket_session::write_next() {
  std::optional<uint16_t> close_code;
  {
    std::lock_guard guard{mutex_};
    if (queue_.empty() || close_started_ || !ws_.is_open()) { // no data after a close frame
      writing_ = false;
      close_code = close_after_writes_;
      queue_.clear();
    } else {
      size_t bytes = 0, frames = 0;
      while (frames < queue_.size() && (frames == 0 || bytes + queue_[frames]->size() <= batch_byte_cap))
        bytes += queue_[frames++]->size();
      if (frames == queue_.size()) {
        batch_.swap(queue_);
      } else {
        batch_.assign(std::make_move_iterator(queue_.begin()),
                      std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(frames)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(frames));
      }
    }
  }
  if (batch_.empty()) {
    if (close_code)
      start_close(*close_code);
    return;
  }
  auto& stream = ws_.next_layer();
  batch_bytes_ = 0;
  for (const auto& frame : batch_) {
    auto header = binary_frame_header(frame->size());
    stream.append(header.bytes.data(), header.size);
    if (frame->size() > copied_frame_limit)
      stream.append_shared(frame);
    else
      stream.append(frame->data(), frame->size());
    batch_bytes_ += frame->size();
  }
  stream.async_flush(beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec) {
  const auto frames = batch_.size();
  batch_.clear();
  if (batch_.capacity() > retained_queue_slots)
    batch_ = {};
  if (ec) {
    std::lock_guard guard{mutex_};
    closed_ = true;
    writing_ = false;
    queue_ = {};
    queued_bytes_ = 0;
    return;
  }
  slot_->shared().metrics.ws_frames_out.add(frames);
  {
    std::lock_guard guard{mutex_};
    queued_bytes_ -= batch_bytes_;
    if (queue_.empty() && queue_.capacity() > retained_queue_slots)
      queue_ = {};
  }
  batch_bytes_ = 0;
  write_next();
}

void websocket_session::close(uint16_t code) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), code] {
    bool now = false;
    {
      std::lock_guard guard{self->mutex_};
      if (self->writing_)
        self->close_after_writes_ = code; // Beast allows one write at a time; close goes after
      else
        now = true;
    }
    if (now)
      self->start_close(code);
  });
}

void websocket_session::start_close(uint16_t code) {
  if (close_started_)
    return;
  close_started_ = true;
  {
    std::lock_guard guard{mutex_};
    closed_ = true;
  }
  ws_.async_close(websocket::close_reason{code}, [self = shared_from_this()](beast::error_code) {});
}

void websocket_session::on_gone() {
  if (gone_)
    return;
  gone_ = true;
  {
    std::lock_guard guard{mutex_};
    closed_ = true;
  }
  if (session_)
    caf::anon_send(session_, actors::disconnected_atom::value);
}

} // namespace parley::net
