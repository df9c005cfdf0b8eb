// ws_idle_memory_bench: parleyd's resident memory per idle authenticated WSS connection at 10,000 connections.
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "benchmarks/bench_support.hpp"
#include "benchmarks/parleyd_client.hpp"

#ifndef PARLEY_BENCH_PARLEYD
#define PARLEY_BENCH_PARLEYD "parleyd"
#endif

using namespace parley::bench;

namespace {

constexpr double goal_kib = 32.0;

/// RSS once the server has had a moment to finish the work the last batch caused.
long settled_rss(pid_t pid, std::chrono::milliseconds settle) {
  std::this_thread::sleep_for(settle);
  return rss_kib(pid);
}

} // namespace

int main(int argc, char** argv) {
  options opts{argc, argv};
  const auto parleyd_path = opts.text("parleyd", PARLEY_BENCH_PARLEYD);
  const auto total = static_cast<size_t>(opts.number("connections", 10000));
  const auto batch = static_cast<size_t>(opts.number("batch", 1000));
  const auto in_flight = static_cast<size_t>(opts.number("in-flight", 64));
  const auto sample = static_cast<size_t>(opts.number("sample", 200));
  const auto settle = std::chrono::milliseconds{opts.number("settle-ms", 2000)};
  const auto client_threads = static_cast<size_t>(opts.number("client-threads", 2));

  auto fd_limit = raise_file_limit();
  if (fd_limit < total + 100) {
    std::fprintf(stderr, "ws_idle_memory_bench: %zu connections need more than the %llu open files allowed\n", total,
                 static_cast<unsigned long long>(fd_limit));
    return 1;
  }
  temp_folder dir{std::filesystem::temp_directory_path(), "parley-ws-idle-"};
  if (!dir.ok()) {
    std::fprintf(stderr, "ws_idle_memory_bench: cannot create a temporary folder\n");
    return 1;
  }
  std::string error;
  auto server = start_parleyd(parleyd_path, dir.path().string(), error);
  if (!server) {
    std::fprintf(stderr, "ws_idle_memory_bench: parleyd: %s\n", error.c_str());
    return 1;
  }
  auto token = sign_up_and_log_in(server->host(), server->port(), error);
  if (token.empty()) {
    std::fprintf(stderr, "ws_idle_memory_bench: %s\n", error.c_str());
    return 1;
  }
  const auto hello = request_frame("auth.hello", 1, {{"token", token}});
  std::printf("ws_idle_memory_bench: %zu idle authenticated WSS connections to parleyd (pid %d), batches of %zu, "
              "%zu handshakes in flight\n",
              total, static_cast<int>(server->pid()), batch, in_flight);
  std::fflush(stdout);

  const long before = settled_rss(server->pid(), settle);
  long half_rss = -1;
  size_t half_count = 0;
  wss_load_client client{client_threads};
  auto started = std::chrono::steady_clock::now();
  while (client.size() < total) {
    auto first = client.size();
    auto want = std::min(batch, total - first);
    auto opened = client.connect(server->host(), server->port(), want, in_flight, error);
    if (opened != want) {
      std::fprintf(stderr, "ws_idle_memory_bench: opened %zu of %zu connections after %zu: %s\n", opened, want, first,
                   error.c_str());
      return 1;
    }
    std::vector<size_t> fresh;
    for (size_t i = first; i < client.size(); ++i)
      fresh.push_back(i);
    auto replies = client.exchange(fresh, [&](size_t) { return hello; }, in_flight, std::chrono::seconds{60});
    for (size_t i = 0; i < replies.size(); ++i)
      if (!is_ok_reply(replies[i])) {
        std::fprintf(stderr, "ws_idle_memory_bench: auth.hello failed on connection %zu\n", fresh[i]);
        return 1;
      }
    if (half_rss < 0 && client.size() >= total / 2) {
      half_count = client.size();
      half_rss = settled_rss(server->pid(), settle);
    }
  }
  auto setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const long after = settled_rss(server->pid(), settle);

  // Everyone still there? Ping a spread-out sample of the idle connections.
  std::vector<size_t> probe;
  for (size_t i = 0; i < sample && i < total; ++i)
    probe.push_back(i * total / std::min(sample, total));
  const auto ping = request_frame("sys.ping", 2);
  auto replies = client.exchange(probe, [&](size_t) { return ping; }, in_flight, std::chrono::seconds{30});
  size_t answered = 0;
  for (const auto& reply : replies)
    answered += is_ok_reply(reply) ? 1 : 0;

  const double per_connection = static_cast<double>(after - before) / static_cast<double>(total);
  const double marginal = half_rss < 0 ? 0
                                       : static_cast<double>(after - half_rss)
                                           / static_cast<double>(total - half_count);
  std::printf("connections opened and authenticated: %zu in %.1f s\n", total, setup_seconds);
  std::printf("parleyd VmRSS before: %s KiB, at %zu: %s KiB, at %zu: %s KiB\n", grouped(static_cast<double>(before)).c_str(),
              half_count, grouped(static_cast<double>(half_rss)).c_str(), total,
              grouped(static_cast<double>(after)).c_str());
  std::printf("per connection: %.1f KiB overall, %.1f KiB marginal (second half); goal <= %.0f KiB: %s\n", per_connection,
              marginal, goal_kib, verdict_at_most(per_connection, goal_kib).c_str());
  std::printf("sample sys.ping after idling: %zu/%zu answered ok\n", answered, probe.size());
  std::printf("summary: ws_idle_memory %zu conn: %.1f KiB/connection (goal <= %.0f KiB: %s), sample ping %zu/%zu ok\n",
              total, per_connection, goal_kib, verdict_at_most(per_connection, goal_kib).c_str(), answered,
              probe.size());
  client.close_all();
  server->stop();
  return answered == probe.size() ? 0 : 1;
}
