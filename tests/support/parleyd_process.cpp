// Runs a real parleyd as a child process for integration tests: start, watch stdout, stop, kill, restart.
#include "tests/support/parleyd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

#ifndef PARLEY_PARLEYD_PATH
#error "PARLEY_PARLEYD_PATH must name the parleyd binary"
#endif

namespace parley::test_support {

namespace {

constexpr std::string_view listening_prefix = "listening on https://";
constexpr std::string_view admin_prefix = "admin password: ";
constexpr std::string_view admin_env = "PARLEY_ADMIN_PASSWORD";

std::filesystem::path make_temp_dir() {
  auto pattern = (std::filesystem::temp_directory_path() / "parleyd-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  return pattern;
}

std::string trim(std::string_view text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return std::string(text);
}

std::vector<std::string> child_environment(const parleyd_options& options) {
  std::vector<std::string> result;
  auto overridden = [&](std::string_view entry) {
    auto name = entry.substr(0, entry.find('='));
    if (name == admin_env)
      return true;
    for (const auto& [key, value] : options.env)
      if (name == key)
        return true;
    return false;
  };
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry)
    if (!overridden(*entry))
      result.emplace_back(*entry);
  for (const auto& [key, value] : options.env)
    result.push_back(key + "=" + value);
  return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings)
    result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

int decode_status(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

} // namespace

std::string parleyd_path() {
  if (const char* path = std::getenv("PARLEYD_PATH"); path != nullptr && *path != '\0')
    return path;
  return PARLEY_PARLEYD_PATH;
}

parleyd_process::parleyd_process(parleyd_options options) : options_(std::move(options)) {
  // A write to a socket the server already closed must fail with EPIPE, not end the test.
  ::signal(SIGPIPE, SIG_IGN);
  if (options_.data_dir.empty()) {
    data_dir_ = make_temp_dir();
    owns_data_dir_ = true;
  } else {
    data_dir_ = options_.data_dir;
  }
  try {
    start();
  } catch (...) {
    if (owns_data_dir_) {
      std::error_code ignored;
      std::filesystem::remove_all(data_dir_, ignored);
    }
    throw;
  }
}

parleyd_process::~parleyd_process() {
  if (running())
    kill();
  join_reader();
  if (owns_data_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
  }
}

void parleyd_process::start() {
  const auto binary = parleyd_path();
  if (::access(binary.c_str(), X_OK) != 0)
    throw std::runtime_error("parleyd binary not found or not executable: " + binary);

  std::vector<std::string> args{binary, "--port=0", "--bind=127.0.0.1", "--data-dir=" + data_dir_.string()};
  if (options_.fast_password_hashing) {
    args.emplace_back("--argon2-ops=1");
    args.emplace_back("--argon2-mem-kib=8192");
  }
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  auto env = child_environment(options_);
  // Everything the child touches between fork and exec is prepared here: no allocation after fork.
  auto argv = c_strings(args);
  auto envp = c_strings(env);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed: " + std::string(std::strerror(errno)));
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();

  {
    std::lock_guard lock(mutex_);
    output_.clear();
    stdout_closed_ = false;
    listening_.reset();
    admin_password_.reset();
  }

  const pid_t child = ::fork();
  if (child < 0) {
    ::close(out[0]);
    ::close(out[1]);
    if (null_fd >= 0)
      ::close(null_fd);
    throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
  }
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(126);
    if (null_fd >= 0)
      ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    // Ignored signals and the mask survive exec; give the server a clean slate.
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    constexpr char message[] = "parleyd_process: execve failed\n";
    [[maybe_unused]] auto written = ::write(STDOUT_FILENO, message, sizeof message - 1);
    ::_exit(127);
  }

  ::close(out[1]);
  if (null_fd >= 0)
    ::close(null_fd);
  pid_ = child;
  reader_ = std::thread([this, fd = out[0]] { read_stdout(fd); });

  std::unique_lock lock(mutex_);
  const bool ready = changed_.wait_for(lock, options_.start_timeout, [&] { return listening_ || stdout_closed_; });
  if (listening_) {
    const std::string& address = *listening_;
    const auto colon = address.rfind(':');
    if (colon != std::string::npos) {
      host_ = address.substr(0, colon);
      if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']')
        host_ = host_.substr(1, host_.size() - 2);
      const auto port = std::strtoul(address.c_str() + colon + 1, nullptr, 10);
      if (port > 0 && port <= 65535) {
        port_ = static_cast<std::uint16_t>(port);
        return;
      }
    }
  }
  const std::string captured = output_;
  lock.unlock();
  const std::string why = !ready ? "no 'listening on' line within the start timeout"
                          : listening_ ? "unparsable 'listening on' line"
                                       : "parleyd exited before listening";
  kill();
  throw std::runtime_error("parleyd did not start (" + why + "); stdout was:\n" + captured);
}

void parleyd_process::read_stdout(int fd) {
  std::string pending;
  char chunk[4096];
  for (;;) {
    const auto n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    std::lock_guard lock(mutex_);
    output_.append(chunk, static_cast<std::size_t>(n));
    pending.append(chunk, static_cast<std::size_t>(n));
    std::size_t end;
    while ((end = pending.find('\n')) != std::string::npos) {
      const std::string line = trim(std::string_view(pending).substr(0, end));
      pending.erase(0, end + 1);
      if (line.starts_with(listening_prefix) && !listening_)
        listening_ = line.substr(listening_prefix.size());
      else if (line.starts_with(admin_prefix) && !admin_password_)
        admin_password_ = line.substr(admin_prefix.size());
    }
    changed_.notify_all();
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  stdout_closed_ = true;
  changed_.notify_all();
}

void parleyd_process::join_reader() {
  if (reader_.joinable())
    reader_.join();
}

std::optional<std::string> parleyd_process::admin_password(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return admin_password_ || stdout_closed_; });
  return admin_password_;
}

std::string parleyd_process::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

void parleyd_process::terminate() {
  if (running())
    ::kill(pid_, SIGTERM);
}

std::optional<int> parleyd_process::reap(bool block) {
  int status = 0;
  for (;;) {
    const pid_t result = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (result < 0 && errno == EINTR)
      continue;
    if (result == pid_) {
      pid_ = -1;
      join_reader();
      return decode_status(status);
    }
    if (result < 0) { // not our child any more: nothing left to wait for
      pid_ = -1;
      join_reader();
      return -1;
    }
    return std::nullopt;
  }
}

std::optional<int> parleyd_process::wait_exit(std::chrono::milliseconds timeout) {
  if (!running())
    throw std::logic_error("parleyd_process::wait_exit: not running");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto code = reap(false))
      return code;
    if (std::chrono::steady_clock::now() >= deadline)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  kill();
  return std::nullopt;
}

std::optional<int> parleyd_process::stop(std::chrono::milliseconds timeout) {
  terminate();
  return wait_exit(timeout);
}

void parleyd_process::kill() {
  if (!running())
    return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

void parleyd_process::restart() {
  if (running())
    throw std::logic_error("parleyd_process::restart: the previous run is still alive");
  join_reader();
  host_.clear();
  port_ = 0;
  start();
}

} // namespace parley::test_support
