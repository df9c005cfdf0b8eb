// ws_ping_bench: sequential sys.ping round trips/s through parleyd against a bare Beast WSS echo, same client.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <unistd.h>

#include "benchmarks/bench_support.hpp"
#include "benchmarks/parleyd_client.hpp"

#ifndef PARLEY_BENCH_PARLEYD
#define PARLEY_BENCH_PARLEYD "parleyd"
#endif
#ifndef PARLEY_BENCH_RAW_ECHO
#define PARLEY_BENCH_RAW_ECHO "raw_wss_echo"
#endif

using namespace parley::bench;

namespace {

constexpr double goal_ratio = 0.7;

struct settings {
  std::chrono::milliseconds warmup;
  std::chrono::milliseconds measure;
  size_t client_threads;
  size_t connect_in_flight = 64;
};

/// One measurement: open `count` connections, say hello (parleyd checks the token; the echo
/// returns the frame), then keep one sys.ping in flight per connection.
double round_trips_per_second(const child_process& server, size_t count, const frame& hello, bool expect_protocol,
                              const settings& s, std::string& error) {
  wss_load_client client{s.client_threads};
  auto opened = client.connect(server.host(), server.port(), count, s.connect_in_flight, error);
  if (opened != count) {
    error = "opened " + std::to_string(opened) + " of " + std::to_string(count) + " connections: " + error;
    return -1;
  }
  std::vector<size_t> all(count);
  for (size_t i = 0; i < count; ++i)
    all[i] = i;
  auto hellos = client.exchange(all, [&](size_t) { return hello; }, s.connect_in_flight, std::chrono::seconds{60});
  for (const auto& reply : hellos)
    if (expect_protocol ? !is_ok_reply(reply) : reply != hello) {
      error = "auth.hello was not answered as expected";
      return -1;
    }
  const auto ping = request_frame("sys.ping", 2);
  auto result = client.closed_loop(ping, s.warmup, s.measure);
  if (result.failed_connections > 0) {
    error = std::to_string(result.failed_connections) + " connections failed during the run";
    return -1;
  }
  for (const auto& reply : result.last_replies)
    if (expect_protocol ? !is_ok_reply(reply) : reply != ping) {
      error = "a sys.ping reply was not what the server should send";
      return -1;
    }
  return static_cast<double>(result.round_trips) / result.seconds;
}

} // namespace

int main(int argc, char** argv) {
  options opts{argc, argv};
  const auto parleyd_path = opts.text("parleyd", PARLEY_BENCH_PARLEYD);
  const auto echo_path = opts.text("raw-echo", PARLEY_BENCH_RAW_ECHO);
  const auto counts = opts.counts("connections", "1,64");
  settings s{std::chrono::milliseconds{opts.number("warmup-ms", 1000)},
             std::chrono::milliseconds{opts.number("measure-ms", 5000)},
             static_cast<size_t>(opts.number("client-threads", 2))};
  raise_file_limit();
  temp_folder dir{std::filesystem::temp_directory_path(), "parley-ws-ping-"};
  if (!dir.ok()) {
    std::fprintf(stderr, "ws_ping_bench: cannot create a temporary folder\n");
    return 1;
  }
  const auto data_dir = (dir.path() / "parleyd").string();
  std::filesystem::create_directories(data_dir);

  std::printf("ws_ping_bench: 1 sys.ping in flight per connection, %.1f s warm-up + %.1f s measured, "
              "%zu client thread(s), TLS 1.3\n",
              s.warmup.count() / 1000.0, s.measure.count() / 1000.0, s.client_threads);
  std::fflush(stdout);

  std::map<size_t, double> parleyd_rate;
  std::map<size_t, double> echo_rate;
  std::string error;
  {
    auto server = start_parleyd(parleyd_path, data_dir, error);
    if (!server) {
      std::fprintf(stderr, "ws_ping_bench: parleyd: %s\n", error.c_str());
      return 1;
    }
    auto token = sign_up_and_log_in(server->host(), server->port(), error);
    if (token.empty()) {
      std::fprintf(stderr, "ws_ping_bench: %s\n", error.c_str());
      return 1;
    }
    auto hello = request_frame("auth.hello", 1, {{"token", token}});
    for (auto n : counts) {
      auto rate = round_trips_per_second(*server, n, hello, true, s, error);
      if (rate < 0) {
        std::fprintf(stderr, "ws_ping_bench: parleyd, %zu connections: %s\n", n, error.c_str());
        return 1;
      }
      parleyd_rate[n] = rate;
    }
    server->stop();
  }
  {
    // The echo serves parleyd's own self-signed certificate: same key type, same handshake cost.
    std::vector<std::string> argv{echo_path, "--bind=127.0.0.1", "--port=0", "--io-threads=2",
                                  "--tls-cert=" + data_dir + "/tls/cert.pem", "--tls-key=" + data_dir + "/tls/key.pem"};
    auto server = child_process::start(argv, {}, (dir.path() / "raw_wss_echo.log").string(), std::chrono::seconds{30},
                                       error);
    if (!server) {
      std::fprintf(stderr, "ws_ping_bench: raw_wss_echo: %s\n", error.c_str());
      return 1;
    }
    // Same frames as against parleyd; the echo sends each one back unchanged.
    auto hello = request_frame("auth.hello", 1, {{"token", std::string(43, 'x')}});
    for (auto n : counts) {
      auto rate = round_trips_per_second(*server, n, hello, false, s, error);
      if (rate < 0) {
        std::fprintf(stderr, "ws_ping_bench: raw echo, %zu connections: %s\n", n, error.c_str());
        return 1;
      }
      echo_rate[n] = rate;
    }
    server->stop();
  }

  std::printf("%11s  %14s  %14s  %7s  %s\n", "connections", "parleyd rt/s", "raw echo rt/s", "ratio", "goal >= 0.70x");
  for (auto n : counts) {
    auto ratio = parleyd_rate[n] / echo_rate[n];
    std::printf("%11zu  %14s  %14s  %6.2fx  %s\n", n, grouped(parleyd_rate[n]).c_str(), grouped(echo_rate[n]).c_str(),
                ratio, verdict_at_least(ratio, goal_ratio).c_str());
  }
  for (auto n : counts) {
    auto ratio = parleyd_rate[n] / echo_rate[n];
    std::printf("summary: ws_ping %zu conn: parleyd %s rt/s, raw echo %s rt/s, ratio %.2fx (goal >= %.2fx: %s)\n", n,
                grouped(parleyd_rate[n]).c_str(), grouped(echo_rate[n]).c_str(), ratio, goal_ratio,
                verdict_at_least(ratio, goal_ratio).c_str());
  }
  return 0;
}
