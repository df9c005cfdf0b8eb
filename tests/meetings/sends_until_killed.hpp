// The SIGKILL durability drill shared by in-meeting chat and IM: several writers send as fast as
// their acknowledgements come back, and the server is killed once enough sends were acknowledged.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/meetings/meeting_harness.hpp"

namespace parley::test_support {

/// Each writer sends `op` with the args `args_of(text)` (text unique per send) until the server is
/// SIGKILLed, which happens once `at_least` sends were acknowledged. Returns seq → text of every
/// acknowledged send: what must be in the history after a restart.
inline std::map<uint64_t, std::string> sends_until_killed(
  parleyd_process& server, std::vector<member>& writers, std::string_view op, size_t at_least,
  const std::function<nlohmann::json(const std::string& text)>& args_of) {
  std::mutex mutex;
  std::map<uint64_t, std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < writers.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const auto text = "w" + std::to_string(t) + "-" + std::to_string(i);
        try {
          const auto request = writers[t].ws.send_request(op, args_of(text));
          const auto response = writers[t].ws.read_response(request, std::chrono::seconds{5});
          if (!is_ws_ok(response))
            return;
          std::lock_guard lock(mutex);
          acknowledged[response["result"]["seq"].get<uint64_t>()] = text;
        } catch (const std::exception&) {
          return; // the server is gone
        }
      }
    });
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
    std::lock_guard lock(mutex);
    if (acknowledged.size() >= at_least)
      break;
  }
  server.kill();
  stop = true;
  for (auto& t : threads)
    t.join();
  return acknowledged;
}

} // namespace parley::test_support
