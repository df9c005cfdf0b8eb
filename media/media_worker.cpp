// The media worker's loop: control commands, UDP receive and RFC 7983 demultiplexing, timers.
#include "media/media_worker.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>


namespace parley::media {
namespace {

using clock = webrtc_transport::clock;

constexpr size_t receive_buffer_size = 2048;  // > any MTU; larger datagrams are dropped
constexpr size_t receive_batch_size = 32;  // datagrams per recvmmsg
constexpr size_t max_datagrams_per_wakeup = 64;  // lets timers and commands interleave with floods
static_assert(receive_buffer_size + srtp_session::max_overhead <= udp_send_batch::slot_size);
constexpr auto tick_interval = std::chrono::seconds(1);  // consent and ICE timeout resolution

}  // namespace

size_t media_worker::address_hash::operator()(const stun_address& a) const noexcept {
  // FNV-1a over the bytes that matter; cheap and good enough for a per-worker map.
  uint64_t h = 1469598103934665603ull;
  const size_t n = a.fam == stun_address::family::ipv4 ? 4 : 16;
  for (size_t i = 0; i < n; ++i) h = (h ^ a.address[i]) * 1099511628211ull;
  h = (h ^ (a.port & 0xFF)) * 1099511628211ull;
  h = (h ^ (a.port >> 8)) * 1099511628211ull;
  return static_cast<size_t>(h);
}

std::unique_ptr<media_worker> media_worker::start(const media_worker_config& config, listener& events, int* error) {
  auto socket = udp_socket::bind(config.listen_ip, config.port, error);
  if (!socket) return nullptr;
  auto certificate = dtls_certificate::generate();
  std::unique_ptr<dtls_context> dtls = certificate ? dtls_context::create(*certificate) : nullptr;
  if (!dtls || !ensure_srtp_initialized()) {
    if (error != nullptr) *error = EPROTO;
    return nullptr;
  }
  const int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake < 0) {
    if (error != nullptr) *error = errno;
    return nullptr;
  }
  std::unique_ptr<media_worker> w(new media_worker(std::move(*socket), std::move(dtls), wake, events));
  w->thread_ = std::thread([p = w.get()] { p->run(); });
  return w;
}

media_worker::media_worker(udp_socket socket, std::unique_ptr<dtls_context> dtls, int wake_fd, listener& events)
    : socket_(std::move(socket)),
      dtls_(std::move(dtls)),
      wake_fd_(wake_fd),
      events_(events),
      receive_batch_(receive_batch_size, receive_buffer_size, receive_buffer_size + srtp_session::max_overhead),
      send_batch_(socket_),
      stun_buffer_(512) {}

media_worker::~media_worker() {
  stopping_ = true;
  const uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  ::close(wake_fd_);
}

std::optional<transport_info> media_worker::create_transport(const transport_options& options) {
  const auto remote = parse_fingerprint(options.remote_fingerprint);
  if (!remote) return std::nullopt;
  transport_info info;
  info.id = next_id_.fetch_add(1);
  info.ice_ufrag = random_ice_string(8);
  info.ice_password = random_ice_string(24);
  info.fingerprint = dtls_->local_fingerprint();
  info.candidate_ip = ip_to_string(socket_.local_address());
  info.candidate_port = socket_.local_address().port;
  {
    std::lock_guard lock(commands_mutex_);
    commands_.emplace_back(create_command{info.id, info.ice_ufrag, info.ice_password, options.remote_ufrag, *remote,
                                          options.role});
  }
  const uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
  return info;
}

void media_worker::close_transport(transport_id id) {
  {
    std::lock_guard lock(commands_mutex_);
    commands_.emplace_back(close_command{id});
  }
  const uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
}

std::pair<std::string, std::string> media_worker::restart_ice(transport_id id, std::string remote_ufrag) {
  auto credentials = std::make_pair(random_ice_string(8), random_ice_string(24));
  {
    std::lock_guard lock(commands_mutex_);
    commands_.emplace_back(restart_command{id, credentials.first, credentials.second, std::move(remote_ufrag)});
  }
  const uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
  return credentials;
}

void media_worker::post(std::function<void()> task) {
  {
    std::lock_guard lock(commands_mutex_);
    commands_.emplace_back(task_command{std::move(task)});
  }
  const uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
}

void media_worker::drain_commands() {
  std::vector<command> pending;
  {
    std::lock_guard lock(commands_mutex_);
    pending.swap(commands_);
  }
  const auto now = clock::now();
  for (auto& c : pending) {
    if (auto* create = std::get_if<create_command>(&c)) {
      // A ufrag collision (48 random bits) would misroute checks; refuse it loudly instead.
      if (by_ufrag_.contains(create->ufrag)) {
        events_.on_transport_closed(create->id, transport_close_reason::local_close);
        continue;
      }
      ice_lite_agent agent(create->ufrag, create->password);
      if (!create->remote_ufrag.empty()) agent.set_remote_ufrag(create->remote_ufrag);
      auto t = webrtc_transport::create(create->id, std::move(agent), *dtls_, create->role, create->remote_fingerprint,
                                        *this, now);
      if (!t) {
        events_.on_transport_closed(create->id, transport_close_reason::dtls_failed);
        continue;
      }
      by_ufrag_.emplace(create->ufrag, create->id);
      handshaking_.push_back(create->id);
      transports_.emplace(create->id, std::move(t));
    } else if (auto* close = std::get_if<close_command>(&c)) {
      const auto it = transports_.find(close->id);
      if (it == transports_.end()) continue;
      it->second->close();
      forget(*it->second);
      transports_.erase(it);
    } else if (auto* restart = std::get_if<restart_command>(&c)) {
      const auto it = transports_.find(restart->id);
      if (it == transports_.end() || by_ufrag_.contains(restart->ufrag)) continue;
      by_ufrag_.erase(it->second->agent().local_ufrag());
      it->second->restart_ice(restart->ufrag, restart->password, restart->remote_ufrag);
      by_ufrag_.emplace(restart->ufrag, restart->id);
    } else if (auto* task = std::get_if<task_command>(&c)) {
      task->task();
    }
  }
}

void media_worker::run() noexcept {
  pollfd fds[2] = {{socket_.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  next_tick_ = clock::now() + tick_interval;
  while (!stopping_.load(std::memory_order_relaxed)) {
    // Everything the last round queued leaves before the worker waits again.
    send_batch_.flush();
    const int n = ::poll(fds, 2, poll_timeout_ms(clock::now()));
    if (n < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) {
      uint64_t count = 0;
      (void)::read(wake_fd_, &count, sizeof count);
      drain_commands();
    }
    const auto now = clock::now();
    if (fds[0].revents & POLLIN) receive_all(now);
    run_timers(clock::now());
    reap();
  }
  // Shutdown: tell every client, so browsers do not wait 30 s for consent to fail.
  for (auto& [id, t] : transports_) t->close();
  send_batch_.flush();
  transports_.clear();
}

void media_worker::receive_all(clock::time_point now) noexcept {
  for (size_t handled = 0; handled < max_datagrams_per_wakeup;) {
    // Each buffer has room beyond the datagram, though SRTP unprotect only shrinks a packet.
    const size_t n = receive_batch_.receive(socket_);
    for (size_t i = 0; i < n; ++i) {
      dispatch(receive_batch_.buffer(i), receive_batch_.length(i), receive_batch_.meta(i), now);
      reap();
    }
    if (n < receive_batch_.capacity()) return;  // drained
    handled += n;
  }
}

void media_worker::dispatch(std::span<uint8_t> buffer, size_t length, const udp_receive_meta& meta,
                            clock::time_point now) noexcept {
  if (length == 0) return;
  reply_from_ = meta.destination;
  const uint8_t first = buffer[0];
  // RFC 7983 §7: 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP; anything else is dropped.
  if (first <= 3) {
    handle_stun(buffer.first(length), meta, now);
  } else if (first >= 20 && first <= 63) {
    if (auto* t = by_address(meta.source)) t->handle_dtls(buffer.first(length));
  } else if (first >= 128 && first <= 191) {
    if (auto* t = by_address(meta.source)) t->handle_srtp(buffer, length);
  }
}

void media_worker::handle_stun(std::span<const uint8_t> datagram, const udp_receive_meta& meta,
                               clock::time_point now) noexcept {
  const auto msg = stun_message::parse(datagram);
  if (!msg) return;
  const auto username = msg->username();
  if (!username) return;
  const auto colon = username->find(':');
  if (colon == std::string_view::npos) return;
  const auto ufrag = username->substr(0, colon);
  auto it = by_ufrag_.find(ufrag);
  if (it == by_ufrag_.end()) {
    // The transport may have been created a moment ago: its command can be queued behind
    // the wake-up we are still handling. Checking the queue here avoids a lost first check.
    try {
      drain_commands();
    } catch (...) {
      return;  // allocation failure while creating: the client will retry its check
    }
    it = by_ufrag_.find(ufrag);
    if (it == by_ufrag_.end()) return;
  }
  const auto t = transports_.find(it->second);
  if (t == transports_.end()) return;
  t->second->handle_stun(*msg, meta.source, now, stun_buffer_);
}

webrtc_transport* media_worker::by_address(const stun_address& a) noexcept {
  const auto it = by_address_.find(a);
  if (it == by_address_.end()) return nullptr;
  const auto t = transports_.find(it->second);
  return t == transports_.end() ? nullptr : t->second.get();
}

int media_worker::poll_timeout_ms(clock::time_point now) const noexcept {
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick_ - now);
  for (const auto id : handshaking_) {
    const auto it = transports_.find(id);
    if (it == transports_.end()) continue;
    if (const auto t = it->second->dtls_timeout()) {
      // Round up so we never wake just before the timer and spin.
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*t);
      wait = std::min(wait, ms);
    }
  }
  return static_cast<int>(std::clamp<int64_t>(wait.count(), 0, 1000));
}

void media_worker::run_timers(clock::time_point now) noexcept {
  // DTLS retransmissions: only transports still handshaking have a timer.
  for (size_t i = 0; i < handshaking_.size();) {
    const auto it = transports_.find(handshaking_[i]);
    const bool done = it == transports_.end() || it->second->closed() || it->second->connected();
    if (done) {
      handshaking_[i] = handshaking_.back();
      handshaking_.pop_back();
      continue;
    }
    if (const auto t = it->second->dtls_timeout(); t && t->count() <= 0) it->second->on_timer(now);
    ++i;
  }
  if (now < next_tick_) return;
  next_tick_ = now + tick_interval;
  for (auto& [id, t] : transports_) t->on_timer(now);
  events_.on_tick();
}

void media_worker::reap() {
  for (const auto id : closed_) {
    const auto it = transports_.find(id);
    if (it == transports_.end()) continue;
    forget(*it->second);
    transports_.erase(it);
  }
  closed_.clear();
}

void media_worker::forget(webrtc_transport& t) {
  by_ufrag_.erase(t.agent().local_ufrag());
  for (const auto& a : t.addresses()) {
    const auto it = by_address_.find(a);
    if (it != by_address_.end() && it->second == t.id()) by_address_.erase(it);
  }
}

srtp_status media_worker::send_rtp(transport_id id, std::span<const uint8_t> packet) noexcept {
  const auto it = transports_.find(id);
  if (it == transports_.end()) return srtp_status::library_error;
  return it->second->send_rtp(packet, send_batch_.next_slot());
}

srtp_status media_worker::send_rtp_in_place(transport_id id, size_t length) noexcept {
  const auto it = transports_.find(id);
  if (it == transports_.end()) return srtp_status::library_error;
  return it->second->send_rtp_in_place(send_batch_.next_slot(), length);
}

srtp_status media_worker::send_rtcp(transport_id id, std::span<const uint8_t> packet) noexcept {
  const auto it = transports_.find(id);
  if (it == transports_.end()) return srtp_status::library_error;
  return it->second->send_rtcp(packet, send_batch_.next_slot());
}

void media_worker::on_transport_send(webrtc_transport&, std::span<const uint8_t> datagram, const stun_address& to) {
  // A datagram protected in the queue's next slot is queued without a copy.
  (void)send_batch_.queue(datagram, to, reply_from_);
}

void media_worker::on_transport_address(webrtc_transport& t, const stun_address& source) {
  // The latest transport to validate an address owns it (a client that moved and
  // reconnected with a new transport takes its port back).
  by_address_.insert_or_assign(source, t.id());
}

void media_worker::on_transport_connected(webrtc_transport& t, srtp_profile profile) {
  events_.on_transport_connected(t.id(), profile);
}

void media_worker::on_transport_closed(webrtc_transport& t, transport_close_reason reason) {
  closed_.push_back(t.id());
  events_.on_transport_closed(t.id(), reason);
}

void media_worker::on_transport_rtp(webrtc_transport& t, std::span<const uint8_t> packet) {
  events_.on_rtp(t.id(), packet);
}

void media_worker::on_transport_rtcp(webrtc_transport& t, std::span<const uint8_t> packet) {
  events_.on_rtcp(t.id(), packet);
}

}  // namespace parley::media
