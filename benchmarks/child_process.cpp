// fork/exec of the servers under test, their listening line, and their resident memory.
#include "benchmarks/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

namespace parley::bench {

std::unique_ptr<child_process> child_process::start(const std::vector<std::string>& argv,
                                                    const std::vector<std::string>& env, const std::string& log_path,
                                                    std::chrono::milliseconds timeout, std::string& error) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    error = std::string{"pipe: "} + std::strerror(errno);
    return nullptr;
  }
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    error = "cannot open " + log_path + ": " + std::strerror(errno);
    return nullptr;
  }
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Built before fork: between fork and exec only async-signal-safe calls are allowed.
  std::vector<char*> environment;
  for (char** e = environ; *e; ++e)
    environment.push_back(*e);
  for (const auto& e : env)
    environment.push_back(const_cast<char*>(e.c_str()));
  environment.push_back(nullptr);
  auto parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    error = std::string{"fork: "} + std::strerror(errno);
    return nullptr;
  }
  if (pid == 0) {
    // A benchmark that dies must not leave a server behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(127);
    dup2(out[1], STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(args[0], args.data(), environment.data());
    _exit(127);
  }
  ::close(out[1]);
  ::close(log_fd);
  std::unique_ptr<child_process> child{new child_process};
  child->pid_ = pid;
  child->stdout_fd_ = out[0];
  const std::string marker = "listening on https://";
  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (auto at = seen.find(marker); at != std::string::npos) {
      auto end = seen.find('\n', at);
      if (end != std::string::npos) {
        auto address = seen.substr(at + marker.size(), end - at - marker.size());
        auto colon = address.rfind(':');
        if (colon == std::string::npos) {
          error = "cannot read the port from: " + address;
          return nullptr;
        }
        child->host_ = address.substr(0, colon);
        child->port_ = static_cast<uint16_t>(std::stoi(address.substr(colon + 1)));
        if (child->host_ == "localhost")
          child->host_ = "127.0.0.1";
        return child;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      error = argv[0] + " did not print its listening line in time (log: " + log_path + ")";
      return nullptr;
    }
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    char chunk[512];
    auto n = ::read(out[0], chunk, sizeof chunk);
    if (n <= 0) {
      error = argv[0] + " exited before listening (log: " + log_path + ")";
      return nullptr;
    }
    seen.append(chunk, static_cast<size_t>(n));
  }
}

child_process::~child_process() {
  stop();
}

int child_process::stop(std::chrono::milliseconds grace) {
  int status = 0;
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
    stdout_fd_ = -1;
  }
  return status;
}

long rss_kib(pid_t pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

} // namespace parley::bench
