// Shared set-up for the admin tests: a server with a known admin password, admin REST calls, the CLI.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "tests/meetings/meeting_harness.hpp"

namespace parley::test_support {

inline constexpr std::string_view admin_password = "Admin-Password-2024!";

inline parleyd_options admin_server_options(std::vector<std::string> extra = {}) {
  parleyd_options options;
  options.args = {"--registration=open"};
  options.args.insert(options.args.end(), extra.begin(), extra.end());
  options.env = {{"PARLEY_ADMIN_PASSWORD", std::string{admin_password}}};
  return options;
}

inline std::string admin_token(const parleyd_process& server) {
  https_client client(server.host(), server.port());
  return login_token(client, "admin", admin_password);
}

inline http_response admin_call(const parleyd_process& server, const std::string& token, std::string_view method,
                                std::string_view target, const nlohmann::json& body = nullptr) {
  https_client client(server.host(), server.port());
  return client.request(method, target, body.is_null() ? std::string{} : body.dump(), {bearer(token)});
}

/// Polls `condition` until it holds or the deadline passes (generous: the machine may be loaded).
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds{60}) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
  }
  return condition();
}

struct cli_result {
  int status = -1;
  std::string output;
};

/// Runs the `parley` admin CLI with `args`, capturing stdout and stderr.
inline cli_result run_cli(const std::string& args) {
  cli_result result;
  std::string command = std::string{PARLEY_CLI_PATH} + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.output.append(buffer, n);
  int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

} // namespace parley::test_support
