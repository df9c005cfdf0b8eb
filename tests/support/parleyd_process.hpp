// Runs a real parleyd as a child process for integration tests: start, watch stdout, stop, kill, restart.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace parley::test_support {

struct parleyd_options {
  /// Extra command-line options, after the ones the harness always passes.
  std::vector<std::string> args;
  /// Extra environment variables. The child inherits the test's environment except
  /// PARLEY_ADMIN_PASSWORD, which it only sees when given here, so first-start runs are repeatable.
  std::vector<std::pair<std::string, std::string>> env;
  /// Empty: a fresh temporary directory, removed when the parleyd_process is destroyed.
  std::filesystem::path data_dir;
  /// Adds `--argon2-ops=1 --argon2-mem-kib=8192` so registration and login stay fast.
  bool fast_password_hashing = true;
  std::chrono::milliseconds start_timeout{30'000};
};

/// The path of the parleyd binary: $PARLEYD_PATH if set, else the build's own parleyd.
std::string parleyd_path();

/// One parleyd child, bound to 127.0.0.1 on a free port. The destructor SIGKILLs a child still
/// running, and the child gets SIGKILL by itself if the thread that started it dies, so no
/// server outlives a failed or crashed test. Start and restart it from one long-lived thread.
class parleyd_process {
public:
  /// Starts parleyd and waits for its `listening on` line; throws std::runtime_error (with the
  /// captured output) if it exits or stays silent past the start timeout.
  explicit parleyd_process(parleyd_options options = {});
  ~parleyd_process();
  parleyd_process(const parleyd_process&) = delete;
  parleyd_process& operator=(const parleyd_process&) = delete;

  const std::string& host() const noexcept { return host_; }
  std::uint16_t port() const noexcept { return port_; }
  const std::filesystem::path& data_dir() const noexcept { return data_dir_; }
  pid_t pid() const noexcept { return pid_; }
  bool running() const noexcept { return pid_ > 0; }

  /// The password from an `admin password: ...` line printed during this run, waiting up to
  /// `timeout` for it to appear.
  std::optional<std::string> admin_password(std::chrono::milliseconds timeout = std::chrono::milliseconds{0});
  /// Everything the child printed on stdout during this run.
  std::string output() const;

  /// Sends SIGTERM without waiting.
  void terminate();
  /// Waits for the child to exit. Returns its exit code, or 128 + signal if a signal ended it.
  /// Past the timeout the child is SIGKILLed and std::nullopt is returned.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::milliseconds{15'000});
  /// SIGTERM, then wait_exit.
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::milliseconds{15'000});
  /// SIGKILL and reap.
  void kill();
  /// Starts parleyd again on the same data dir and options (a new port). The child must have exited.
  void restart();

private:
  void start();
  void read_stdout(int fd);
  void join_reader();
  std::optional<int> reap(bool block);

  parleyd_options options_;
  std::filesystem::path data_dir_;
  bool owns_data_dir_ = false;
  pid_t pid_ = -1;
  std::string host_;
  std::uint16_t port_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;            // guarded by mutex_
  bool stdout_closed_ = false;    // guarded by mutex_
  std::optional<std::string> listening_;      // guarded by mutex_
  std::optional<std::string> admin_password_; // guarded by mutex_
  std::thread reader_;
};

} // namespace parley::test_support
