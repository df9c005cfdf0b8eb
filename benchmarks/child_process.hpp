// Starts a server binary as a child process, reads its "listening on https://HOST:PORT" line, stops it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace parley::bench {

class child_process {
public:
  /// Runs `argv` (argv[0] is the binary) with `env` ("NAME=value") added to this process's
  /// environment and its stderr appended to `log_path`, and waits up to `timeout` for the
  /// listening line. Returns nullptr with `error` set if the child died or never said it.
  static std::unique_ptr<child_process> start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                              const std::string& log_path, std::chrono::milliseconds timeout,
                                              std::string& error);
  /// Stops the child if it still runs (see stop()).
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  const std::string& host() const noexcept { return host_; }
  uint16_t port() const noexcept { return port_; }

  /// SIGTERM, then SIGKILL after `grace`; returns the exit status as waitpid gave it.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds{10});

private:
  child_process() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string host_;
  uint16_t port_ = 0;
};

/// Resident set size of a process in KiB (VmRSS in /proc/PID/status), or -1 if unreadable.
long rss_kib(pid_t pid);

} // namespace parley::bench
