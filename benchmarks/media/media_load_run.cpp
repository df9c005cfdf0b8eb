// The load scenario's event loop: one thread, epoll over every peer's socket, publishers
// paced packet by packet, timers for ICE and DTLS.
#include "benchmarks/media/media_load_run.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "benchmarks/media/process_cpu.hpp"
#include "benchmarks/media/synthetic_vp8_stream.hpp"
#include "benchmarks/media/webrtc_client_peer.hpp"

namespace parley::bench {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr auto tick_interval = 10ms;
// A publisher that fell this far behind (blocked in signaling) skips ahead instead of
// bursting the backlog into the server.
constexpr auto max_send_lag = 50ms;

struct publisher {
  std::unique_ptr<webrtc_client_peer> peer;
  std::unique_ptr<synthetic_vp8_stream> stream;
  publication published;
  clock_type::time_point next_send{};
  clock_type::duration interval{};
};

struct subscriber {
  std::unique_ptr<webrtc_client_peer> peer;
  size_t stream = 0;
};

class load_loop {
public:
  load_loop() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {}
  ~load_loop() {
    if (epoll_fd_ >= 0)
      close(epoll_fd_);
  }
  load_loop(const load_loop&) = delete;
  load_loop& operator=(const load_loop&) = delete;

  bool ok() const { return epoll_fd_ >= 0; }

  void watch(webrtc_client_peer& peer) {
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.ptr = &peer;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, peer.fd(), &e);
    peers_.push_back(&peer);
  }

  std::vector<publisher> publishers;

  /// Serves sockets, timers and publishers until `until`.
  void run_until(clock_type::time_point until) {
    std::array<epoll_event, 64> events{};
    for (;;) {
      auto now = clock_type::now();
      send_due(now);
      if (now >= next_tick_) {
        for (auto* p : peers_)
          p->on_tick(now);
        next_tick_ = now + tick_interval;
      }
      if (now >= until)
        return;
      auto wake = std::min({until, next_tick_, next_send_time()});
      // Rounded up: a wait rounded down to 0 ms would spin until the next packet is due.
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - now);
      const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                               static_cast<int>(std::max<long>(0, wait.count())));
      now = clock_type::now();
      for (int i = 0; i < n; ++i)
        static_cast<webrtc_client_peer*>(events[static_cast<size_t>(i)].data.ptr)->on_readable(now);
    }
  }

private:
  clock_type::time_point next_send_time() const {
    auto t = clock_type::time_point::max();
    for (const auto& p : publishers)
      if (p.peer->current_state() == webrtc_client_peer::state::connected)
        t = std::min(t, p.next_send);
    return t;
  }

  void send_due(clock_type::time_point now) {
    for (auto& p : publishers) {
      if (p.peer->current_state() != webrtc_client_peer::state::connected)
        continue;
      if (p.next_send == clock_type::time_point{} || now - p.next_send > max_send_lag)
        p.next_send = now;
      while (p.next_send <= now) {
        const size_t length = p.stream->write_next(buffer_);
        if (length == 0)
          break;
        p.peer->send_rtp(buffer_, length);
        p.next_send += p.interval;
      }
    }
  }

  int epoll_fd_;
  std::vector<webrtc_client_peer*> peers_;
  clock_type::time_point next_tick_{};
  std::array<uint8_t, 1500 + media::srtp_session::max_overhead> buffer_{};
};

double cpu_seconds(pid_t pid) {
  const auto t = process_cpu_time(pid);
  return t ? static_cast<double>(t->count()) / 1e6 : 0;
}

std::string describe(const webrtc_client_peer& peer, const char* role, size_t index) {
  return std::string(role) + " " + std::to_string(index) + " is " + std::string(to_string(peer.current_state())) +
         (peer.failure().empty() ? "" : " (" + peer.failure() + ")");
}

} // namespace

media_load_result run_media_load(const std::string& server_name, sfu_signaling& signaling, pid_t server_pid,
                                 const media::dtls_context& context, const media_load_settings& settings) {
  media_load_result result;
  result.server = server_name;
  load_loop loop;
  if (!loop.ok()) {
    result.error = "epoll_create1 failed";
    return result;
  }
  auto pump = [&] { loop.run_until(clock_type::now() + 1ms); };

  // The server at rest first: signaling connected, no transport yet.
  {
    constexpr auto rest = 2s;
    const double before = cpu_seconds(server_pid);
    const auto from = clock_type::now();
    std::this_thread::sleep_for(rest);
    const double span = std::chrono::duration<double>(clock_type::now() - from).count();
    result.server_rest_cores = span > 0 ? (cpu_seconds(server_pid) - before) / span : 0;
  }

  // Publishers: each sends as soon as its transport is up.
  for (size_t k = 0; k < settings.streams; ++k) {
    std::string error;
    publisher p;
    p.peer = webrtc_client_peer::create(context, settings.bind_address, error);
    if (!p.peer) {
      result.error = "publisher " + std::to_string(k) + ": " + error;
      return result;
    }
    publish_offer_settings offer;
    offer.ssrc = 0x5A000000u + static_cast<uint32_t>(k) * 0x101u;
    offer.stream_name = "bench" + std::to_string(k);
    if (!signaling.publish(*p.peer, offer, p.published, error)) {
      result.error = "publishing stream " + std::to_string(k) + " on " + server_name + ": " + error;
      return result;
    }
    synthetic_vp8_settings stream;
    stream.ssrc = offer.ssrc;
    stream.payload_type = offer.payload_type;
    stream.mid_extension_id = offer.mid_extension_id;
    stream.first_sequence = static_cast<uint16_t>(1000 * k);
    stream.first_timestamp = static_cast<uint32_t>(90'000 * k);
    p.stream = std::make_unique<synthetic_vp8_stream>(stream);
    p.interval = std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(1.0 / p.stream->packets_per_second()));
    loop.watch(*p.peer);
    loop.publishers.push_back(std::move(p));
    pump();
  }
  // Spread the streams' packets over the interval rather than sending them in step.
  for (size_t k = 0; k < loop.publishers.size(); ++k) {
    auto& p = loop.publishers[k];
    p.next_send = clock_type::now() + p.interval * static_cast<long>(k) / static_cast<long>(loop.publishers.size());
  }

  std::vector<subscriber> subscribers;
  // Serves the loop until every peer so far is connected; false (with result.error) when a
  // peer failed or the deadline passed.
  const auto connect_deadline = clock_type::now() + settings.connect_timeout;
  const auto wait_connected = [&]() -> bool {
    const auto connected = [](const webrtc_client_peer& p) {
      return p.current_state() == webrtc_client_peer::state::connected;
    };
    for (;;) {
      loop.run_until(clock_type::now() + 20ms);
      result.publishers_connected = static_cast<size_t>(std::count_if(
          loop.publishers.begin(), loop.publishers.end(), [&](const publisher& p) { return connected(*p.peer); }));
      result.subscribers_connected = static_cast<size_t>(std::count_if(
          subscribers.begin(), subscribers.end(), [&](const subscriber& s) { return connected(*s.peer); }));
      if (result.publishers_connected == loop.publishers.size() && result.subscribers_connected == subscribers.size())
        return true;
      const bool late = clock_type::now() > connect_deadline;
      std::string problem;
      for (size_t i = 0; i < loop.publishers.size() && problem.empty(); ++i) {
        const auto& peer = *loop.publishers[i].peer;
        if (!connected(peer) && (late || peer.current_state() == webrtc_client_peer::state::failed))
          problem = describe(peer, "publisher", i);
      }
      for (size_t i = 0; i < subscribers.size() && problem.empty(); ++i) {
        const auto& peer = *subscribers[i].peer;
        if (!connected(peer) && (late || peer.current_state() == webrtc_client_peer::state::failed))
          problem = describe(peer, "subscriber", i);
      }
      if (!problem.empty()) {
        result.error = server_name + ": " + problem;
        return false;
      }
    }
  };
  // Servers list a publisher to subscribers once its transport is up (Janus: "No such feed"
  // before that).
  if (!wait_connected())
    return result;
  loop.run_until(clock_type::now() + 200ms);

  for (size_t k = 0; k < settings.streams; ++k) {
    for (size_t m = 0; m < settings.receivers_per_stream; ++m) {
      std::string error;
      subscriber s;
      s.stream = k;
      s.peer = webrtc_client_peer::create(context, settings.bind_address, error);
      if (!s.peer) {
        result.error = "subscriber: " + error;
        return result;
      }
      if (!signaling.subscribe(*s.peer, loop.publishers[k].published, error)) {
        result.error = "subscribing to stream " + std::to_string(k) + " on " + server_name + ": " + error;
        return result;
      }
      loop.watch(*s.peer);
      subscribers.push_back(std::move(s));
      pump();
    }
  }

  // Every transport up (ICE, DTLS, SRTP keys) before anything is measured.
  if (!wait_connected())
    return result;
  result.publisher_profile = loop.publishers.front().peer->profile();
  result.subscriber_profile = subscribers.empty() ? std::nullopt : subscribers.front().peer->profile();
  for (const auto& p : loop.publishers)
    result.profiles_uniform = result.profiles_uniform && p.peer->profile() == result.publisher_profile;
  for (const auto& s : subscribers)
    result.profiles_uniform = result.profiles_uniform && s.peer->profile() == result.subscriber_profile;

  loop.run_until(clock_type::now() + settings.warmup);

  // The measured window.
  for (auto& s : subscribers)
    s.peer->stats().begin_window();
  uint64_t sent_before = 0, srtp_errors_before = 0;
  for (const auto& p : loop.publishers)
    sent_before += p.peer->counters().rtp_sent;
  for (const auto& s : subscribers)
    srtp_errors_before += s.peer->counters().srtp_errors;
  const double server_cpu_before = cpu_seconds(server_pid);
  const double client_cpu_before = cpu_seconds(getpid());
  const auto started = clock_type::now();
  loop.run_until(started + settings.measure);
  const auto ended = clock_type::now();
  result.server_cpu_seconds = cpu_seconds(server_pid) - server_cpu_before;
  result.client_cpu_seconds = cpu_seconds(getpid()) - client_cpu_before;
  result.seconds = std::chrono::duration<double>(ended - started).count();

  for (const auto& p : loop.publishers)
    result.sent += p.peer->counters().rtp_sent;
  result.sent -= sent_before;
  for (const auto& s : subscribers) {
    const auto& st = s.peer->stats();
    result.forwarded += st.received();
    result.expected += st.expected();
    result.lost += st.lost();
    result.keyframes += st.keyframes();
    result.srtp_errors += s.peer->counters().srtp_errors;
  }
  result.srtp_errors -= srtp_errors_before;
  if (result.forwarded == 0)
    result.error = server_name + " forwarded no packet in the measured window";
  return result;
}

void print_media_load_result(const media_load_result& r) {
  auto profile = [](const std::optional<media::srtp_profile>& p) {
    return p ? std::string(media::to_string(*p)) : std::string("none");
  };
  std::printf("%s:\n", r.server.c_str());
  if (!r.error.empty()) {
    std::printf("  error: %s\n", r.error.c_str());
    return;
  }
  std::printf("  SRTP profile           publishers %s, subscribers %s%s\n", profile(r.publisher_profile).c_str(),
              profile(r.subscriber_profile).c_str(), r.profiles_uniform ? "" : " (not the same on every peer!)");
  std::printf("  peers connected        %zu publishers, %zu subscribers\n", r.publishers_connected,
              r.subscribers_connected);
  std::printf("  window                 %.1f s; %llu packets sent, %llu forwarded, %llu keyframe starts received\n",
              r.seconds, static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.forwarded),
              static_cast<unsigned long long>(r.keyframes));
  std::printf("  forwarded packets/s    %.0f\n", r.forwarded_per_second());
  std::printf("  loss                   %.4f%% (%llu of %llu)\n", 100.0 * r.loss(),
              static_cast<unsigned long long>(r.lost), static_cast<unsigned long long>(r.expected));
  std::printf("  server CPU             %.2f s = %.2f us per forwarded packet, %.0f forwarded packets per CPU second\n",
              r.server_cpu_seconds, r.server_cpu_us_per_packet(), r.forwarded_per_cpu_second());
  std::printf("  server CPU at rest     %.1f%% of one core (signaling up, no media); above it: %.2f us per forwarded packet\n",
              100.0 * r.server_rest_cores, r.server_cpu_us_per_packet_above_rest());
  std::printf("  load client CPU        %.2f s (%.0f%% of one core)\n", r.client_cpu_seconds,
              r.seconds > 0 ? 100.0 * r.client_cpu_seconds / r.seconds : 0.0);
  if (r.srtp_errors > 0)
    std::printf("  SRTP errors            %llu\n", static_cast<unsigned long long>(r.srtp_errors));
}

} // namespace parley::bench
