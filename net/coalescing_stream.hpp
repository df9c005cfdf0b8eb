// A Beast stream over tls_socket that gathers every write into one buffer and sends what has
// gathered with one TLS write (one record and one send syscall per 16 KiB) instead of one per frame.
//
// Small writes are copied into segments of up to 16 KiB; a big frame is written from its own
// (shared, immutable) bytes. Two kinds of writer share it, on the connection's strand:
// - the connection appends its own finished WebSocket frames with `append` and asks to hear
//   when they reached the socket with `async_flush`;
// - Beast's websocket::stream writes its control frames (pong, keep-alive ping, close) through
//   `async_write_some`, which appends the whole buffer sequence at once and completes once those
//   bytes reached the socket, so a Beast write finishes only when everything before it did too.
// Every append is whole, so bytes of two frames never interleave. While one TLS write is in
// flight, appends go to the next segment; a partially written segment is resumed with the same
// bytes, as OpenSSL requires.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "net/tls_socket.hpp"

namespace parley::net {

class coalescing_stream {
public:
  using executor_type = tls_socket::executor_type;
  using next_layer_type = tls_socket;
  using error_code = boost::system::error_code;
  using shared_bytes = std::shared_ptr<const std::vector<uint8_t>>;

  explicit coalescing_stream(tls_socket&& tls) : tls_(std::move(tls)) {}

  executor_type get_executor() noexcept { return tls_.get_executor(); }
  tls_socket& next_layer() noexcept { return tls_; }

  /// Keeps `owner` alive while a TLS write is in flight (the stream lives inside it).
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    tls_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    const std::size_t size = boost::asio::buffer_size(buffers);
    if (failed_ || size == 0) {
      boost::asio::post(get_executor(), boost::beast::bind_front_handler(std::forward<Handler>(handler), failed_,
                                                                         std::size_t{0}));
      return;
    }
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer b = *it;
      append(b.data(), b.size());
    }
    waiters_.push_back(std::make_unique<write_waiter<std::decay_t<Handler>>>(appended_, std::forward<Handler>(handler),
                                                                            size));
    flush();
  }

  /// Appends a copy of these bytes, after everything appended before. Dropped once the stream failed.
  void append(const void* data, std::size_t size) {
    if (failed_ || size == 0)
      return;
    // Never touch the segment TLS is writing (a retried SSL_write needs the same bytes).
    const bool back_in_flight = writing_ && segments_.size() == 1;
    if (segments_.empty() || segments_.back().shared || back_in_flight
        || segments_.back().owned.size() + size > segment_size)
      segments_.emplace_back();
    auto* bytes = static_cast<const uint8_t*>(data);
    segments_.back().owned.insert(segments_.back().owned.end(), bytes, bytes + size);
    appended_ += size;
  }

  /// Appends bytes that stay alive and unchanged until written (a big frame: written from where it is, not copied).
  void append_shared(shared_bytes bytes) {
    if (failed_ || !bytes || bytes->empty())
      return;
    appended_ += bytes->size();
    segments_.push_back(segment{{}, std::move(bytes)});
  }

  /// Sends what was appended; calls `done(error_code)` on the strand once every byte appended
  /// so far reached the socket, or the stream failed. Never calls it inside this call.
  template <class Handler>
  void async_flush(Handler&& done) {
    if (failed_) {
      boost::asio::post(get_executor(), boost::beast::bind_front_handler(std::forward<Handler>(done), failed_));
      return;
    }
    waiters_.push_back(std::make_unique<flush_waiter<std::decay_t<Handler>>>(appended_, std::forward<Handler>(done)));
    if (sent_ == appended_ && !writing_) { // nothing to send: still complete later, never inline
      boost::asio::post(get_executor(), [this, anchor = owner_.lock()] {
        if (anchor)
          complete_waiters({});
      });
      return;
    }
    flush();
  }

  /// Up to this many bytes of small writes are gathered into one TLS write (one TLS record).
  static constexpr std::size_t segment_size = 16 * 1024;

private:
  struct segment {
    std::vector<uint8_t> owned; // gathered copies
    shared_bytes shared;        // or bytes shared with others
    const uint8_t* data() const noexcept { return shared ? shared->data() : owned.data(); }
    std::size_t size() const noexcept { return shared ? shared->size() : owned.size(); }
  };

  struct waiter {
    explicit waiter(uint64_t end_) : end(end_) {}
    virtual ~waiter() = default;
    virtual void complete(error_code ec) = 0;
    uint64_t end; // done once this many bytes (counted from the start) reached the socket
  };
  template <class Handler>
  struct write_waiter final : waiter {
    write_waiter(uint64_t end_, Handler&& h, std::size_t size_) : waiter(end_), handler(std::move(h)), size(size_) {}
    write_waiter(uint64_t end_, const Handler& h, std::size_t size_) : waiter(end_), handler(h), size(size_) {}
    void complete(error_code ec) override { handler(ec, ec ? std::size_t{0} : size); }
    Handler handler;
    std::size_t size;
  };
  template <class Handler>
  struct flush_waiter final : waiter {
    flush_waiter(uint64_t end_, Handler&& h) : waiter(end_), handler(std::move(h)) {}
    flush_waiter(uint64_t end_, const Handler& h) : waiter(end_), handler(h) {}
    void complete(error_code ec) override { handler(ec); }
    Handler handler;
  };

  void flush() {
    if (writing_ || failed_ || segments_.empty())
      return;
    auto anchor = owner_.lock();
    if (!anchor)
      return; // the connection is being destroyed
    writing_ = true;
    const auto& front = segments_.front();
    tls_.async_write_some(boost::asio::const_buffer(front.data() + written_, front.size() - written_),
                          [this, anchor = std::move(anchor)](error_code ec, std::size_t n) { on_written(ec, n); });
  }

  void on_written(error_code ec, std::size_t n) {
    writing_ = false;
    if (ec) {
      failed_ = ec;
      segments_.clear();
      written_ = 0;
      complete_waiters(ec);
      return;
    }
    written_ += n;
    sent_ += n;
    if (written_ == segments_.front().size()) {
      segments_.pop_front();
      written_ = 0;
    }
    complete_waiters({}); // may append and flush again
    flush();
  }

  void complete_waiters(error_code ec) {
    while (!waiters_.empty() && (ec || waiters_.front()->end <= sent_)) {
      auto done = std::move(waiters_.front());
      waiters_.pop_front();
      done->complete(ec);
    }
  }

  tls_socket tls_;
  std::weak_ptr<void> owner_;
  std::deque<segment> segments_; // the front one is being written; written_ bytes of it are out
  std::size_t written_ = 0;
  uint64_t appended_ = 0; // bytes appended since the start
  uint64_t sent_ = 0;     // bytes that reached the socket since the start
  bool writing_ = false;
  error_code failed_;
  std::deque<std::unique_ptr<waiter>> waiters_;
};

/// WebSocket close: everything appended went out before Beast's close frame completed; then TLS and TCP teardown.
inline void teardown(boost::beast::role_type role, coalescing_stream& stream, boost::system::error_code& ec) {
  teardown(role, stream.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, coalescing_stream& stream, TeardownHandler&& handler) {
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

} // namespace parley::net
