// meeting_storm_bench: 1,000 WSS clients join one meeting at once (join latency, frames, exact
// rosters), then chat fans out to all of them (deliveries/s, parleyd CPU per delivery, send-to-last-
// delivery latency), and parleyd's memory per participant.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <unistd.h>

#include <msgpack.hpp>

#include "benchmarks/bench_support.hpp"
#include "benchmarks/parleyd_client.hpp"
#include "protocol/envelope.hpp"

#ifndef PARLEY_BENCH_PARLEYD
#define PARLEY_BENCH_PARLEYD "parleyd"
#endif

using namespace parley::bench;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr double goal_storm_s = 3.0;
constexpr double goal_cpu_us = 5.0;
constexpr double goal_p99_ms = 50.0;

/// parleyd's CPU time in microseconds, from /proc/<pid>/stat: user and system (kernel) apart,
/// because on loopback the kernel's TCP work for both ends of each socket write is charged here.
struct cpu_time {
  double user_us = 0, system_us = 0;
  double total() const { return user_us + system_us; }
  cpu_time operator-(const cpu_time& earlier) const { return {user_us - earlier.user_us, system_us - earlier.system_us}; }
};

cpu_time cpu_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos)
    return {};
  std::istringstream fields(text.substr(close + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i)
    fields >> skip;
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  const double tick_us = 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
  return {utime * tick_us, stime * tick_us};
}

double cpu_us(pid_t pid) {
  return cpu_of(pid).total();
}

/// {op, id, args} with args given as a ready msgpack map packer callback.
template <class PackArgs>
frame request(std::string_view op, uint64_t id, uint32_t arg_count, PackArgs pack_args) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(3);
  pk.pack("op");
  pk.pack(std::string{op});
  pk.pack("id");
  pk.pack(id);
  pk.pack("args");
  pk.pack_map(arg_count);
  pack_args(pk);
  return frame(buffer.data(), buffer.data() + buffer.size());
}

uint64_t pid_of(const msgpack::object* o) {
  auto hex = text_of(o);
  return hex.empty() ? 0 : std::strtoull(hex.c_str(), nullptr, 16);
}

double percentile(std::vector<double> values, double p) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  auto index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

/// What one client saw: roster ids joined and left (ids never come back, so order does not matter).
struct client_view {
  std::mutex mutex; // the observer runs on the client's I/O thread, the check on the main thread
  std::unordered_set<uint64_t> joined;
  std::unordered_set<uint64_t> left;
  std::atomic<uint64_t> frames{0};
};

struct chat_message_track {
  std::atomic<uint64_t> deliveries{0};
  std::atomic<int64_t> last_ns{0}; // arrival of the last delivery, steady clock ns
};

} // namespace

int main(int argc, char** argv) {
  options opts{argc, argv};
  const auto parleyd_path = opts.text("parleyd", PARLEY_BENCH_PARLEYD);
  const auto clients = static_cast<size_t>(opts.number("clients", 1000)); // the host included
  const auto chat_seconds = opts.number("chat-seconds", 10);
  const auto chat_rate = opts.number("chat-rate", 10);
  const auto burst = static_cast<size_t>(opts.number("burst", 200));
  const auto client_threads = static_cast<size_t>(opts.number("client-threads", 2));
  const size_t joiners = clients - 1;

  if (raise_file_limit() < clients + 100) {
    std::fprintf(stderr, "meeting_storm_bench: not enough open files allowed\n");
    return 1;
  }
  temp_folder dir{std::filesystem::temp_directory_path(), "parley-storm-"};
  std::string error;
  auto server = start_parleyd(parleyd_path, dir.path().string(), error);
  if (!server) {
    std::fprintf(stderr, "meeting_storm_bench: parleyd: %s\n", error.c_str());
    return 1;
  }
  // 1,000 participants in one meeting needs the enterprise tier (the basic tier caps at 100).
  auto host_token = set_organisation_tier(server->host(), server->port(), "enterprise", error)
                      ? sign_up_and_log_in(server->host(), server->port(), error)
                      : std::string{};
  auto member_token = host_token.empty() ? "" : sign_up_and_log_in(server->host(), server->port(), error);
  if (member_token.empty()) {
    std::fprintf(stderr, "meeting_storm_bench: %s\n", error.c_str());
    return 1;
  }

  std::vector<client_view> views(clients);
  std::vector<chat_message_track> chat(static_cast<size_t>(chat_seconds * chat_rate) + burst + 1);
  std::atomic<uint64_t> chat_acks{0};
  wss_load_client pool{client_threads};
  pool.observe([&](size_t i, const uint8_t* data, size_t size, clock_type::time_point at) {
    auto& view = views[i];
    view.frames.fetch_add(1, std::memory_order_relaxed);
    msgpack::object_handle handle;
    try {
      handle = msgpack::unpack(reinterpret_cast<const char*>(data), size);
    } catch (const std::exception&) {
      return;
    }
    const auto& root = handle.get();
    auto ev = text_of(parley::protocol::find_field(root, "ev"));
    const auto* d = parley::protocol::find_field(root, "data");
    if (ev.empty()) {
      if (i == 0 && parley::protocol::find_field(root, "re"))
        chat_acks.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (ev == "chat.message") {
      auto text = text_of(parley::protocol::find_field(*d, "text"));
      auto k = static_cast<size_t>(std::strtoull(text.c_str() + 1, nullptr, 10));
      if (k < chat.size()) {
        chat[k].deliveries.fetch_add(1, std::memory_order_relaxed);
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
        auto seen = chat[k].last_ns.load(std::memory_order_relaxed);
        while (ns > seen && !chat[k].last_ns.compare_exchange_weak(seen, ns))
          ;
      }
      return;
    }
    std::lock_guard guard{view.mutex};
    if (ev == "participant.joined")
      view.joined.insert(pid_of(parley::protocol::find_field(*parley::protocol::find_field(*d, "participant"), "participant_id")));
    else if (ev == "participant.left")
      view.left.insert(pid_of(parley::protocol::find_field(*d, "participant_id")));
    else if (ev == "roster.changed") {
      if (auto* list = parley::protocol::find_field(*d, "joined"); list && list->type == msgpack::type::ARRAY)
        for (uint32_t j = 0; j < list->via.array.size; ++j)
          view.joined.insert(pid_of(parley::protocol::find_field(list->via.array.ptr[j], "participant_id")));
      if (auto* list = parley::protocol::find_field(*d, "left"); list && list->type == msgpack::type::ARRAY)
        for (uint32_t j = 0; j < list->via.array.size; ++j)
          view.left.insert(pid_of(&list->via.array.ptr[j]));
    }
  });

  if (pool.connect(server->host(), server->port(), clients, 100, error) != clients) {
    std::fprintf(stderr, "meeting_storm_bench: connect: %s\n", error.c_str());
    return 1;
  }
  std::vector<size_t> everyone(clients), members(joiners);
  for (size_t i = 0; i < clients; ++i)
    everyone[i] = i;
  for (size_t i = 0; i < joiners; ++i)
    members[i] = i + 1;
  auto hellos = pool.exchange(everyone, [&](size_t i) {
    return request_frame("auth.hello", 1, {{"token", i == 0 ? host_token : member_token}});
  }, 200, std::chrono::seconds{60});
  for (const auto& reply : hellos)
    if (!is_ok_reply(reply)) {
      std::fprintf(stderr, "meeting_storm_bench: auth.hello failed\n");
      return 1;
    }
  auto created = pool.exchange({0}, [&](size_t) {
    return request("meeting.create", 2, 2, [&](auto& pk) {
      pk.pack("topic");
      pk.pack("Join storm");
      pk.pack("settings");
      pk.pack_map(2);
      pk.pack("join_before_host");
      pk.pack(true);
      pk.pack("max_participants");
      pk.pack(static_cast<uint32_t>(std::min<size_t>(clients, 1000)));
    });
  }, 1, std::chrono::seconds{30});
  std::string meeting_id;
  {
    auto handle = msgpack::unpack(reinterpret_cast<const char*>(created[0].data()), created[0].size());
    meeting_id = text_of(parley::protocol::find_field(*parley::protocol::find_field(handle.get(), "result"), "meeting_id"));
  }
  auto join_frame = request("meeting.join", 3, 1, [&](auto& pk) {
    pk.pack("meeting_id");
    pk.pack(meeting_id);
  });
  std::unordered_set<uint64_t> expected;
  auto record_join = [&](size_t i, const frame& reply) {
    auto handle = msgpack::unpack(reinterpret_cast<const char*>(reply.data()), reply.size());
    const auto* result = parley::protocol::find_field(handle.get(), "result");
    if (!result)
      return false;
    expected.insert(pid_of(parley::protocol::find_field(*result, "participant_id")));
    std::lock_guard guard{views[i].mutex};
    if (auto* roster = parley::protocol::find_field(*result, "roster"))
      for (uint32_t j = 0; j < roster->via.array.size; ++j)
        views[i].joined.insert(pid_of(parley::protocol::find_field(roster->via.array.ptr[j], "participant_id")));
    return true;
  };
  auto host_join = pool.exchange({0}, [&](size_t) { return join_frame; }, 1, std::chrono::seconds{30});
  if (!is_ok_reply(host_join[0]) || !record_join(0, host_join[0])) {
    std::fprintf(stderr, "meeting_storm_bench: the host could not join\n");
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds{1});
  const long rss_before = rss_kib(server->pid());
  uint64_t frames_before = 0;
  for (auto& v : views)
    frames_before += v.frames.load();

  // --- join storm ---------------------------------------------------------------------------
  std::printf("meeting_storm_bench: %zu clients (1 host + %zu joiners) join meeting %s on parleyd (pid %d) at once\n",
              clients, joiners, meeting_id.c_str(), static_cast<int>(server->pid()));
  std::fflush(stdout);
  const double cpu_storm_start = cpu_us(server->pid());
  const auto storm_start = clock_type::now();
  std::vector<double> join_us;
  auto joins = pool.exchange(members, [&](size_t) { return join_frame; }, joiners, std::chrono::seconds{120}, &join_us);
  const auto replies_done = clock_type::now();
  size_t joined_ok = 0;
  for (size_t j = 0; j < joins.size(); ++j)
    if (is_ok_reply(joins[j]) && record_join(members[j], joins[j]))
      ++joined_ok;
  auto roster_exact = [&](size_t i) {
    std::lock_guard guard{views[i].mutex};
    size_t present = 0;
    for (auto pid : views[i].joined)
      if (!views[i].left.count(pid)) {
        if (!expected.count(pid))
          return false;
        ++present;
      }
    return present == expected.size();
  };
  size_t exact = 0;
  auto exact_at = clock_type::now();
  for (auto deadline = clock_type::now() + std::chrono::seconds{30}; clock_type::now() < deadline;) {
    exact = 0;
    for (size_t i = 0; i < clients; ++i)
      exact += roster_exact(i) ? 1 : 0;
    exact_at = clock_type::now();
    if (exact == clients)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  const double cpu_storm = cpu_us(server->pid()) - cpu_storm_start;
  std::this_thread::sleep_for(std::chrono::seconds{1});
  uint64_t frames_after = 0;
  for (auto& v : views)
    frames_after += v.frames.load();
  const auto storm_frames = frames_after - frames_before + joined_ok; // events + the join replies
  for (auto& us : join_us)
    us /= 1000.0;
  const double replies_s = std::chrono::duration<double>(replies_done - storm_start).count();
  const double storm_s = std::chrono::duration<double>(exact_at - storm_start).count();
  const long rss_after = rss_kib(server->pid());
  const double kib_per_participant = static_cast<double>(rss_after - rss_before) / static_cast<double>(joiners);
  const double naive_frames = static_cast<double>(clients) * static_cast<double>(clients - 1) / 2.0;
  std::printf("join storm: %zu/%zu joined; all replies in %.2f s; every roster exact (%zu/%zu) at %.2f s "
              "(goal <= %.1f s: %s)\n",
              joined_ok, joiners, replies_s, exact, clients, storm_s, goal_storm_s,
              verdict_at_most(exact == clients ? storm_s : 1e9, goal_storm_s).c_str());
  std::printf("join latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", percentile(join_us, 0.5),
              percentile(join_us, 0.99), percentile(join_us, 1.0));
  std::printf("frames sent by parleyd during the storm: %s (one event per join per participant would be %s: %.1f%%); "
              "parleyd CPU %.2f s\n",
              grouped(static_cast<double>(storm_frames)).c_str(), grouped(naive_frames).c_str(),
              100.0 * static_cast<double>(storm_frames) / naive_frames, cpu_storm / 1e6);
  std::printf("memory: parleyd VmRSS %s KiB before the joins, %s KiB after: %.1f KiB per participant\n",
              grouped(static_cast<double>(rss_before)).c_str(), grouped(static_cast<double>(rss_after)).c_str(),
              kib_per_participant);
  std::fflush(stdout);

  // --- chat fan-out at a steady rate --------------------------------------------------------
  const size_t steady = static_cast<size_t>(chat_seconds * chat_rate);
  std::vector<clock_type::time_point> sent(chat.size());
  auto chat_frame = [&](size_t k) {
    return request("chat.send", 100 + k, 1, [&](auto& pk) {
      pk.pack("text");
      pk.pack("c" + std::to_string(k));
    });
  };
  auto wait_delivered = [&](size_t from, size_t to, std::chrono::seconds limit) {
    for (auto deadline = clock_type::now() + limit; clock_type::now() < deadline;) {
      bool all = true;
      for (size_t k = from; k < to && all; ++k)
        all = chat[k].deliveries.load() >= clients;
      if (all)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    return false;
  };
  const double cpu_chat_start = cpu_us(server->pid());
  const auto chat_start = clock_type::now();
  for (size_t k = 0; k < steady; ++k) {
    auto due = chat_start + std::chrono::microseconds{static_cast<int64_t>(1e6 * static_cast<double>(k) / static_cast<double>(chat_rate))};
    std::this_thread::sleep_until(due);
    sent[k] = clock_type::now();
    pool.send_on(0, chat_frame(k));
  }
  bool steady_complete = wait_delivered(0, steady, std::chrono::seconds{30});
  const double steady_s = std::chrono::duration<double>(clock_type::now() - chat_start).count();
  const double cpu_steady = cpu_us(server->pid()) - cpu_chat_start;
  std::vector<double> last_ms;
  uint64_t steady_deliveries = 0;
  for (size_t k = 0; k < steady; ++k) {
    steady_deliveries += chat[k].deliveries.load();
    auto last = clock_type::time_point{std::chrono::nanoseconds{chat[k].last_ns.load()}};
    last_ms.push_back(std::chrono::duration<double, std::milli>(last - sent[k]).count());
  }
  std::printf("chat at %ld msg/s for %ld s: %s deliveries (%s expected, %s), %.0f deliveries/s; "
              "send-to-last-delivery p50 %.1f ms, p99 %.1f ms (goal <= %.0f ms: %s); "
              "parleyd CPU %.2f us per delivery\n",
              chat_rate, chat_seconds, grouped(static_cast<double>(steady_deliveries)).c_str(),
              grouped(static_cast<double>(steady * clients)).c_str(), steady_complete ? "all" : "INCOMPLETE",
              static_cast<double>(steady_deliveries) / steady_s, percentile(last_ms, 0.5), percentile(last_ms, 0.99),
              goal_p99_ms, verdict_at_most(percentile(last_ms, 0.99), goal_p99_ms).c_str(),
              cpu_steady / static_cast<double>(std::max<uint64_t>(steady_deliveries, 1)));
  std::fflush(stdout);

  // --- chat fan-out flat out: a burst of messages -------------------------------------------
  const auto cpu_burst_start = cpu_of(server->pid());
  const auto burst_start = clock_type::now();
  for (size_t k = steady; k < steady + burst; ++k) {
    sent[k] = clock_type::now();
    pool.send_on(0, chat_frame(k));
  }
  bool burst_complete = wait_delivered(steady, steady + burst, std::chrono::seconds{60});
  auto burst_end = clock_type::time_point{};
  uint64_t burst_deliveries = 0;
  for (size_t k = steady; k < steady + burst; ++k) {
    burst_deliveries += chat[k].deliveries.load();
    burst_end = std::max(burst_end, clock_type::time_point{std::chrono::nanoseconds{chat[k].last_ns.load()}});
  }
  const double burst_s = std::chrono::duration<double>(burst_end - burst_start).count();
  const auto cpu_burst_split = cpu_of(server->pid()) - cpu_burst_start;
  const double cpu_burst = cpu_burst_split.total();
  const double cpu_per_delivery = cpu_burst / static_cast<double>(std::max<uint64_t>(burst_deliveries, 1));
  std::printf("chat burst: %zu messages to %zu participants: %s deliveries (%s) in %.2f s = %s deliveries/s; "
              "parleyd CPU %.2f us per delivery, %.0f%% of it in the kernel (goal <= %.0f us: %s; "
              "Phoenix anchor ~20 us: %.1fx better)\n",
              burst, clients, grouped(static_cast<double>(burst_deliveries)).c_str(),
              burst_complete ? "all" : "INCOMPLETE", burst_s,
              grouped(static_cast<double>(burst_deliveries) / burst_s).c_str(), cpu_per_delivery,
              100.0 * cpu_burst_split.system_us / std::max(cpu_burst, 1.0), goal_cpu_us,
              verdict_at_most(cpu_per_delivery, goal_cpu_us).c_str(), 20.0 / cpu_per_delivery);
  std::printf("summary: join storm %zu clients: rosters exact at %.2f s (goal <= %.1f s), join p50 %.1f ms p99 %.1f ms, "
              "%s frames; chat p99 %.1f ms at %ld msg/s; %.2f us CPU/delivery; %.1f KiB/participant\n",
              clients, storm_s, goal_storm_s, percentile(join_us, 0.5), percentile(join_us, 0.99),
              grouped(static_cast<double>(storm_frames)).c_str(), percentile(last_ms, 0.99), chat_rate,
              cpu_per_delivery, kib_per_participant);
  pool.close_all();
  server->stop();
  return exact == clients && steady_complete && burst_complete ? 0 : 1;
}
