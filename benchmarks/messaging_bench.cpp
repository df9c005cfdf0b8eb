// messaging_bench: 1,000 users in 500 1:1 conversations sending at once — durable messages/s acknowledged
// and delivered, and send-to-delivery latency — against one-at-a-time Put(sync=true) in the same run.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <msgpack.hpp>
#include <nlohmann/json.hpp>
#include <rocksdb/db.h>

#include "benchmarks/bench_support.hpp"
#include "benchmarks/parleyd_client.hpp"
#include "protocol/envelope.hpp"
#include "benchmarks/wss_load_client.hpp"
#include "storage/database.hpp"

using namespace parley;
using namespace parley::bench;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr double goal_messages_per_second = 50'000;
constexpr double goal_p99_ms = 100;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count();
}

/// Counters shared by the I/O threads of the load client.
struct run_state {
  std::atomic<bool> measuring{false};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> acked{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> sent{0};
  std::mutex latency_mutex;
  std::vector<double> latencies_ms;
};

struct user {
  std::string id;
  std::string token;
  std::string conversation;
};

struct load_settings {
  size_t users = 0;
  size_t in_flight = 0;
  std::chrono::milliseconds warmup{0};
  std::chrono::milliseconds measure{0};
  size_t client_threads = 0;
  std::filesystem::path parent;
  std::string parleyd;
};

struct load_figures {
  bool ok = false;
  double acked_rate = 0;
  double delivered_rate = 0;
  std::vector<double> latencies_ms; // sorted
  uint64_t refused = 0;
  double percentile(double p) const {
    return latencies_ms.empty()
             ? 0.0
             : latencies_ms[std::min(latencies_ms.size() - 1, static_cast<size_t>(p * static_cast<double>(latencies_ms.size())))];
  }
};

/// The anchor: one synced put at a time on a RocksDB of its own, like a naive durable send.
double measure_single_puts(const std::filesystem::path& parent, std::chrono::milliseconds duration, std::string& error) {
  temp_folder dir{parent, "parley-msg-anchor-"};
  auto db = storage::database::open(dir.path().string(), error);
  if (!db)
    return -1;
  rocksdb::WriteOptions synced;
  synced.sync = true;
  const std::string value(160, 'v');
  auto* family = db->handle(storage::column_family::messages);
  uint64_t seq = 0;
  auto started = clock_type::now();
  while (clock_type::now() - started < duration) {
    std::string key(16, '\0');
    for (int i = 0; i < 8; ++i)
      key[static_cast<size_t>(8 + i)] = static_cast<char>(seq >> (56 - 8 * i));
    auto status = db->raw().Put(synced, family, key, value);
    if (!status.ok()) {
      error = status.ToString();
      return -1;
    }
    ++seq;
  }
  return static_cast<double>(seq) / std::chrono::duration<double>(clock_type::now() - started).count();
}

frame send_frame(uint64_t request_id, const std::string& conversation, uint64_t n, size_t sender) {
  return request_frame("im.send", request_id,
                       {{"conversation_id", conversation},
                        {"client_id", std::to_string(sender) + "-" + std::to_string(n)},
                        {"text", std::to_string(now_ns())}});
}

/// One run of the load against a fresh parleyd (encryption at rest on, or off with `unencrypted`).
load_figures run_load(const load_settings& settings, bool unencrypted) {
  const auto users_count = settings.users;
  const auto in_flight = settings.in_flight;
  const auto warmup = settings.warmup;
  const auto measure = settings.measure;
  const auto client_threads = settings.client_threads;
  const auto& parent = settings.parent;
  const auto& parleyd = settings.parleyd;
  temp_folder dir{parent, "parley-msg-bench-"};
  std::string error;
  auto server = start_parleyd(parleyd, dir.path().string(), error,
                              unencrypted ? std::vector<std::string>{"--unencrypted-store"} : std::vector<std::string>{});
  if (!server) {
    std::fprintf(stderr, "messaging_bench: parleyd: %s\n", error.c_str());
    return {};
  }
  const auto host = server->host();
  const auto port = server->port();

  // Accounts (a few threads: each sign-up is two HTTPS requests).
  std::vector<user> users(users_count);
  {
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
      workers.emplace_back([&] {
        std::string sign_up_error;
        for (size_t i; (i = next++) < users_count && !failed;) {
          auto signed_in = sign_up_user(host, port, sign_up_error);
          if (signed_in.token.empty()) {
            std::fprintf(stderr, "messaging_bench: sign-up %zu: %s\n", i, sign_up_error.c_str());
            failed = true;
            return;
          }
          users[i].token = signed_in.token;
          users[i].id = signed_in.id;
        }
      });
    for (auto& w : workers)
      w.join();
    if (failed)
      return {};
  }

  wss_load_client client{client_threads};
  if (client.connect(host, port, users_count, 64, error) != users_count) {
    std::fprintf(stderr, "messaging_bench: connect: %s\n", error.c_str());
    return {};
  }
  std::vector<size_t> everyone(users_count);
  for (size_t i = 0; i < users_count; ++i)
    everyone[i] = i;
  auto hellos = client.exchange(
    everyone, [&](size_t i) { return request_frame("auth.hello", 1, {{"token", users[i].token}}); }, 64,
    std::chrono::seconds{120});
  for (size_t i = 0; i < users_count; ++i)
    if (!is_ok_reply(hellos[i])) {
      std::fprintf(stderr, "messaging_bench: auth.hello failed for user %zu\n", i);
      return {};
    }
  // Pairs (2k, 2k+1) share a conversation.
  std::vector<size_t> openers;
  for (size_t i = 0; i < users_count; i += 2)
    openers.push_back(i);
  auto opened = client.exchange(
    openers, [&](size_t i) { return request_frame("im.conversation.open_direct", 2, {{"user_id", users[i + 1].id}}); },
    64, std::chrono::seconds{120});
  for (size_t k = 0; k < openers.size(); ++k) {
    try {
      auto handle = msgpack::unpack(reinterpret_cast<const char*>(opened[k].data()), opened[k].size());
      auto* result = parley::protocol::find_field(handle.get(), "result");
      auto id = result ? text_of(parley::protocol::find_field(*parley::protocol::find_field(*result, "conversation"), "conversation_id")) : std::string{};
      if (id.empty())
        throw std::runtime_error("no conversation id");
      users[openers[k]].conversation = id;
      users[openers[k] + 1].conversation = id;
    } catch (const std::exception&) {
      std::fprintf(stderr, "messaging_bench: open_direct failed for pair %zu\n", k);
      return {};
    }
  }

  // Every user keeps `in_flight` sends outstanding: each acknowledgement sends the next one.
  run_state run;
  std::vector<uint64_t> next_n(users_count, 0); // touched only by the connection's own I/O thread
  client.stream_to([&](size_t i, const frame& bytes) {
    try {
      auto handle = msgpack::unpack(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      const auto& root = handle.get();
      if (parley::protocol::find_field(root, "re")) {
        auto* ok = parley::protocol::find_field(root, "ok");
        if (ok && ok->type == msgpack::type::BOOLEAN && ok->via.boolean) {
          if (run.measuring)
            run.acked.fetch_add(1, std::memory_order_relaxed);
        } else
          run.refused.fetch_add(1, std::memory_order_relaxed);
        if (!run.stop) {
          run.sent.fetch_add(1, std::memory_order_relaxed);
          client.post_frame(i, send_frame(3, users[i].conversation, next_n[i]++, i));
        }
        return;
      }
      if (text_of(parley::protocol::find_field(root, "ev")) != "im.message")
        return;
      auto* message = parley::protocol::find_field(*parley::protocol::find_field(root, "data"), "message");
      if (!message || text_of(parley::protocol::find_field(*message, "sender_id")) == users[i].id)
        return; // the sender's own copy: delivery is measured at the other member
      auto sent_at = std::stoll(text_of(parley::protocol::find_field(*message, "text")));
      if (run.measuring) {
        run.delivered.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock{run.latency_mutex};
        run.latencies_ms.push_back(static_cast<double>(now_ns() - sent_at) / 1e6);
      }
    } catch (const std::exception&) {
      run.refused.fetch_add(1, std::memory_order_relaxed);
    }
  });
  for (size_t i = 0; i < users_count; ++i)
    for (size_t k = 0; k < in_flight; ++k) {
      run.sent.fetch_add(1, std::memory_order_relaxed);
      client.post_frame(i, send_frame(3, users[i].conversation, k + 1'000'000'000, i));
    }
  std::this_thread::sleep_for(warmup);
  run.measuring = true;
  auto started = clock_type::now();
  std::this_thread::sleep_for(measure);
  run.measuring = false;
  auto seconds = std::chrono::duration<double>(clock_type::now() - started).count();
  run.stop = true;
  std::this_thread::sleep_for(std::chrono::seconds{2});

  load_figures figures;
  {
    std::lock_guard lock{run.latency_mutex};
    figures.latencies_ms = run.latencies_ms;
  }
  std::sort(figures.latencies_ms.begin(), figures.latencies_ms.end());
  figures.acked_rate = static_cast<double>(run.acked) / seconds;
  figures.delivered_rate = static_cast<double>(run.delivered) / seconds;
  figures.refused = run.refused;
  figures.ok = true;
  client.close_all();
  server->stop();
  return figures;
}

} // namespace

int main(int argc, char** argv) {
  options opts{argc, argv};
  load_settings settings;
  settings.users = static_cast<size_t>(opts.number("users", 1000)) & ~size_t{1};
  settings.in_flight = static_cast<size_t>(opts.number("in-flight", 8));
  settings.warmup = std::chrono::milliseconds{opts.number("warmup-ms", 2000)};
  settings.measure = std::chrono::milliseconds{opts.number("measure-ms", 10000)};
  settings.client_threads = static_cast<size_t>(opts.number("client-threads", 2));
  settings.parent = opts.text("dir", std::filesystem::temp_directory_path().string());
  settings.parleyd = opts.text("parleyd", PARLEY_BENCH_PARLEYD);
  // With --compare-unencrypted=1 the same load runs again on a parleyd without encryption at rest.
  const bool compare_unencrypted = opts.number("compare-unencrypted", 0) != 0;
  raise_file_limit();

  std::string error;
  const double anchor = measure_single_puts(settings.parent, std::chrono::seconds{3}, error);
  if (anchor <= 0) {
    std::fprintf(stderr, "messaging_bench: anchor: %s\n", error.c_str());
    return 1;
  }
  std::printf("messaging_bench: %zu users in %zu 1:1 conversations, %zu sends in flight per user, %.1f s warm-up + "
              "%.1f s measured\n",
              settings.users, settings.users / 2, settings.in_flight, settings.warmup.count() / 1000.0,
              settings.measure.count() / 1000.0);
  std::fflush(stdout);
  const auto sealed = run_load(settings, false);
  if (!sealed.ok)
    return 1;
  load_figures plain;
  if (compare_unencrypted && !(plain = run_load(settings, true)).ok)
    return 1;

  std::printf("%-44s  %12s  %7s\n", "", "msgs/s", "ratio");
  std::printf("%-44s  %12s  %6.2fx\n", "anchor: one-at-a-time Put(sync=true)", grouped(anchor).c_str(), 1.0);
  std::printf("%-44s  %12s  %6.2fx\n", "im.send acknowledged (durable)", grouped(sealed.acked_rate).c_str(),
              sealed.acked_rate / anchor);
  std::printf("%-44s  %12s  %6.2fx\n", "im.message delivered to the other member",
              grouped(sealed.delivered_rate).c_str(), sealed.delivered_rate / anchor);
  std::printf("send-to-delivery latency ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  (%zu samples)\n",
              sealed.percentile(0.50), sealed.percentile(0.90), sealed.percentile(0.99),
              sealed.latencies_ms.empty() ? 0.0 : sealed.latencies_ms.back(), sealed.latencies_ms.size());
  if (sealed.refused > 0)
    std::printf("refused or unreadable replies: %llu\n", static_cast<unsigned long long>(sealed.refused));
  if (compare_unencrypted) {
    std::printf("%-44s  %12s  %6.2fx\n", "same load, encryption at rest off: acknowledged",
                grouped(plain.acked_rate).c_str(), plain.acked_rate / anchor);
    std::printf("encryption off: send-to-delivery p50 %.1f  p99 %.1f ms\n", plain.percentile(0.50),
                plain.percentile(0.99));
    std::printf("summary: encryption at rest on messaging: %s vs %s acknowledged msgs/s, ratio with/without %.2f, "
                "p99 %.1f vs %.1f ms\n",
                grouped(sealed.acked_rate).c_str(), grouped(plain.acked_rate).c_str(),
                plain.acked_rate > 0 ? sealed.acked_rate / plain.acked_rate : 0.0, sealed.percentile(0.99),
                plain.percentile(0.99));
  }
  std::printf("summary: messaging %zu users: %s durable msgs/s acknowledged (goal >= %s: %s), %s delivered/s, "
              "p99 %.1f ms (goal <= %.0f ms: %s), anchor %s puts/s, ratio %.1fx\n",
              settings.users, grouped(sealed.acked_rate).c_str(), grouped(goal_messages_per_second).c_str(),
              verdict_at_least(sealed.acked_rate, goal_messages_per_second).c_str(),
              grouped(sealed.delivered_rate).c_str(), sealed.percentile(0.99), goal_p99_ms,
              verdict_at_most(sealed.percentile(0.99), goal_p99_ms).c_str(), grouped(anchor).c_str(),
              sealed.acked_rate / anchor);
  return 0;
}
