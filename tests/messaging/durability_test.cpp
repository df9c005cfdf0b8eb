// Durability: every acknowledged message survives SIGKILL, in order, and the order continues after it.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "tests/messaging/messaging_harness.hpp"

using namespace parley::test_support;

TEST_CASE("every acknowledged IM message survives a SIGKILL, in order", "[messaging][durability]") {
  parleyd_process server(meeting_server_options());
  std::vector<member> writers;
  for (int i = 0; i < 4; ++i)
    writers.push_back(sign_in(server, "w"));
  std::vector<const account*> others;
  for (size_t i = 1; i < writers.size(); ++i)
    others.push_back(&writers[i].user);
  const auto id = create_group(writers[0].ws, "Durable", others);

  std::mutex mutex;
  std::map<uint64_t, std::string> acknowledged; // seq → text
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < writers.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const auto text = "w" + std::to_string(t) + "-" + std::to_string(i);
        try {
          const auto request = writers[t].ws.send_request(
            "im.send", {{"conversation_id", id}, {"client_id", text}, {"text", text}});
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
    if (acknowledged.size() >= 200)
      break;
  }
  server.kill();
  stop = true;
  for (auto& t : threads)
    t.join();

  server.restart();
  auto again = reconnect(server, writers[1].token);
  std::map<uint64_t, std::string> stored;
  uint64_t previous = 0;
  for (const auto& m : whole_history(again, id)) {
    auto seq = m["seq"].get<uint64_t>();
    CHECK(seq == previous + 1); // one gap-free order
    previous = seq;
    if (m["kind"] == "text")
      stored[seq] = m["text"];
  }
  INFO(acknowledged.size() << " acknowledged, " << stored.size() << " stored");
  for (const auto& [seq, text] : acknowledged) {
    INFO("seq " << seq);
    REQUIRE(stored.count(seq));
    CHECK(stored[seq] == text);
  }
  // A retry of an acknowledged send after the crash is recognised; new sends continue the order.
  auto mine = std::find_if(acknowledged.begin(), acknowledged.end(),
                           [](const auto& entry) { return entry.second.rfind("w1-", 0) == 0; });
  REQUIRE(mine != acknowledged.end());
  auto retried = ok(again, "im.send", {{"conversation_id", id}, {"client_id", mine->second}, {"text", mine->second}});
  CHECK(retried["seq"] == mine->first);
  CHECK(retried["duplicate"] == true);
  auto next = send_text(again, id, "after restart");
  CHECK(next == previous + 1);
}
