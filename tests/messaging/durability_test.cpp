// Durability: every acknowledged message survives SIGKILL, in order, and the order continues after it.
#include <algorithm>
#include <map>

#include "tests/meetings/sends_until_killed.hpp"
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

  const auto acknowledged = sends_until_killed(server, writers, "im.send", 200, [&](const std::string& text) {
    return nlohmann::json{{"conversation_id", id}, {"client_id", text}, {"text", text}};
  });

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
