// signin_bench: password sign-ins/s through a real parleyd (HTTPS POST /api/v1/auth/login) at an
// Argon2id cost, against the anchor of bare Argon2id verifications/s in this process with the same
// cost and thread count. Also prints one verification's latency at a few costs, to show the choice.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "accounts/password_hasher.hpp"
#include "benchmarks/bench_support.hpp"
#include "benchmarks/child_process.hpp"
#include "benchmarks/wss_load_client.hpp"

using namespace parley;
using namespace parley::bench;

namespace {

constexpr const char* password = "Bench-Pass-2024!";

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Verifications/s of `threads` threads hashing flat out for `duration`.
double raw_verifications_per_second(accounts::argon2_cost cost, size_t threads, std::chrono::seconds duration) {
  accounts::password_hasher hasher{cost};
  auto hash = hasher.hash(password).value();
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < threads; ++i)
    workers.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed))
        if (hasher.verify(hash, password))
          done.fetch_add(1, std::memory_order_relaxed);
    });
  std::this_thread::sleep_for(duration);
  stop = true;
  for (auto& w : workers)
    w.join();
  return static_cast<double>(done.load()) / seconds_since(start);
}

} // namespace

int main(int argc, char** argv) {
  options opts(argc, argv);
  const auto parleyd = opts.text("parleyd", PARLEY_BENCH_PARLEYD);
  const auto ops = static_cast<size_t>(opts.number("argon2-ops", 2));
  const auto mem_kib = static_cast<size_t>(opts.number("argon2-mem-kib", 19 * 1024));
  const auto clients = static_cast<size_t>(opts.number("clients", 4));
  const auto threads = static_cast<size_t>(opts.number("threads", static_cast<long>(std::thread::hardware_concurrency())));
  const std::chrono::seconds duration{opts.number("duration-s", 10)};
  const accounts::argon2_cost cost{ops, mem_kib};

  std::printf("Argon2id latency of one verification, single thread:\n");
  for (auto c : {accounts::argon2_cost{1, 8 * 1024}, accounts::argon2_cost{2, 19 * 1024},
                 accounts::argon2_cost{3, 64 * 1024}}) {
    accounts::password_hasher hasher{c};
    auto hash = hasher.hash(password).value();
    constexpr int rounds = 5;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < rounds; ++i)
      (void)hasher.verify(hash, password);
    std::printf("  t=%zu m=%zu KiB: %.1f ms\n", c.ops, c.mem_kib, 1000.0 * seconds_since(start) / rounds);
  }

  auto data_dir = std::filesystem::temp_directory_path() / ("signin-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(data_dir);
  std::string error;
  std::vector<std::string> args{parleyd, "--port=0", "--bind=127.0.0.1", "--data-dir=" + data_dir.string(),
                                "--registration=open", "--argon2-ops=" + std::to_string(ops),
                                "--argon2-mem-kib=" + std::to_string(mem_kib)};
  auto server = child_process::start(args, {"PARLEY_ADMIN_PASSWORD=Bench-Admin-2024!"},
                                     (data_dir / "parleyd.log").string(), std::chrono::seconds{60}, error);
  if (!server) {
    std::fprintf(stderr, "cannot start parleyd: %s\n", error.c_str());
    return 1;
  }
  const auto host = server->host();
  const auto port = server->port();
  std::vector<std::string> users;
  for (size_t i = 0; i < clients; ++i) {
    auto name = "bench." + std::to_string(i);
    auto r = https_post(host, port, "/api/v1/auth/register",
                        nlohmann::json{{"username", name}, {"password", password}}.dump());
    if (r.status != 201) {
      std::fprintf(stderr, "register failed: %u %s %s\n", r.status, r.body.c_str(), r.error.c_str());
      return 1;
    }
    users.push_back(name);
  }
  std::atomic<uint64_t> signed_in{0}, failed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> loops;
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < clients; ++i)
    loops.emplace_back([&, i] {
      auto body = nlohmann::json{{"username", users[i]}, {"password", password}}.dump();
      while (!stop.load(std::memory_order_relaxed)) {
        auto r = https_post(host, port, "/api/v1/auth/login", body);
        (r.status == 200 ? signed_in : failed).fetch_add(1, std::memory_order_relaxed);
      }
    });
  std::this_thread::sleep_for(duration);
  stop = true;
  for (auto& l : loops)
    l.join();
  const double server_rate = static_cast<double>(signed_in.load()) / seconds_since(start);
  server.reset();
  std::filesystem::remove_all(data_dir);

  const double raw_rate = raw_verifications_per_second(cost, threads, duration);
  std::printf("cost t=%zu m=%zu KiB, %zu clients, %lld s\n", ops, mem_kib, clients,
              static_cast<long long>(duration.count()));
  std::printf("parleyd sign-ins/s (HTTPS login, token stored durably): %.1f  (failed: %llu)\n", server_rate,
              static_cast<unsigned long long>(failed.load()));
  std::printf("anchor: bare Argon2id verifications/s on %zu threads: %.1f\n", threads, raw_rate);
  std::printf("ratio sign-ins / bare verifications: %.2f\n", raw_rate > 0 ? server_rate / raw_rate : 0.0);
  return failed.load() == 0 ? 0 : 1;
}
