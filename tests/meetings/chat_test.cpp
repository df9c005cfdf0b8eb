// In-meeting chat: fan-out, private messages, chat modes, history, and durability across SIGKILL.
#include <map>

#include "tests/meetings/meeting_harness.hpp"
#include "tests/meetings/sends_until_killed.hpp"

using namespace parley::test_support;

TEST_CASE("chat reaches the right people under every chat mode", "[meetings][chat]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}});
  const auto host_pid = join(host.ws, id)["participant_id"].get<std::string>();
  const auto ann_pid = join(ann.ws, id)["participant_id"].get<std::string>();
  const auto ben_pid = join(ben.ws, id)["participant_id"].get<std::string>();

  auto seq = ok(ann.ws, "chat.send", {{"text", "hello all"}})["seq"].get<uint64_t>();
  for (auto* ws : {&host.ws, &ben.ws}) {
    auto msg = wait_event(*ws, "chat.message");
    CHECK(msg["seq"] == seq);
    CHECK(msg["text"] == "hello all");
    CHECK(msg["from"] == ann_pid);
    CHECK_FALSE(msg.contains("to"));
  }

  // Private: only sender and recipient see it, live and in history.
  auto private_seq = ok(ann.ws, "chat.send", {{"text", "psst"}, {"to", ben_pid}})["seq"].get<uint64_t>();
  CHECK(private_seq > seq);
  auto got = wait_event(ben.ws, "chat.message");
  CHECK(got["text"] == "psst");
  CHECK(got["to"] == ben_pid);
  auto host_view = ok(host.ws, "chat.history", {{"limit", 50}})["messages"];
  REQUIRE(host_view.size() == 1);
  CHECK(host_view[0]["text"] == "hello all");
  auto ben_view = ok(ben.ws, "chat.history", {{"limit", 50}})["messages"];
  REQUIRE(ben_view.size() == 2);
  CHECK(ben_view[1]["text"] == "psst");
  CHECK(ok(ben.ws, "chat.history", {{"before_seq", private_seq}})["messages"].size() == 1);

  refused(ann.ws, "chat.send", {{"text", ""}}, "bad_request");
  refused(ann.ws, "chat.send", {{"text", "x"}, {"to", "0000000000000001"}}, "not_found");

  // private_chat off: participants cannot message each other privately, but may still message the host.
  ok(host.ws, "meeting.update", {{"meeting_id", id}, {"settings", {{"private_chat", false}}}});
  refused(ann.ws, "chat.send", {{"text", "psst"}, {"to", ben_pid}}, "forbidden");
  ok(ann.ws, "chat.send", {{"text", "to host"}, {"to", host_pid}});
  ok(ann.ws, "chat.send", {{"text", "public still fine"}});

  // host_only: participants may only write to hosts and co-hosts.
  ok(host.ws, "meeting.update", {{"meeting_id", id}, {"settings", {{"chat", "host_only"}}}});
  refused(ann.ws, "chat.send", {{"text", "everyone?"}}, "forbidden");
  ok(ann.ws, "chat.send", {{"text", "host?"}, {"to", host_pid}});
  ok(host.ws, "chat.send", {{"text", "host speaks"}});

  // off: only hosts and co-hosts write.
  ok(host.ws, "meeting.update", {{"meeting_id", id}, {"settings", {{"chat", "off"}}}});
  refused(ann.ws, "chat.send", {{"text", "anyone?"}}, "forbidden");
  refused(ben.ws, "chat.send", {{"text", "host?"}, {"to", host_pid}}, "forbidden");
  ok(host.ws, "chat.send", {{"text", "announcement"}});
}

TEST_CASE("every acknowledged chat message survives a SIGKILL", "[meetings][chat][durability]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}});
  std::vector<member> writers;
  for (int i = 0; i < 4; ++i)
    writers.push_back(sign_in(server, "w"));
  join(host.ws, id);
  for (auto& w : writers)
    join(w.ws, id);

  const auto acknowledged = sends_until_killed(server, writers, "chat.send", 150, [](const std::string& text) {
    return nlohmann::json{{"text", text}};
  });

  server.restart();
  auto again = reconnect(server, host.token);
  join(again, id);
  std::map<uint64_t, std::string> stored;
  uint64_t before = 0;
  for (;;) {
    nlohmann::json args = {{"limit", 100}};
    if (before != 0)
      args["before_seq"] = before;
    auto page = ok(again, "chat.history", args)["messages"];
    if (page.empty())
      break;
    for (const auto& m : page)
      stored[m["seq"].get<uint64_t>()] = m["text"].get<std::string>();
    before = page[0]["seq"].get<uint64_t>();
  }
  INFO(acknowledged.size() << " acknowledged, " << stored.size() << " stored");
  for (const auto& [seq, text] : acknowledged) {
    INFO("seq " << seq);
    REQUIRE(stored.count(seq));
    CHECK(stored[seq] == text);
  }
  // New messages continue after the last stored seq.
  auto next = ok(again, "chat.send", {{"text", "after restart"}})["seq"].get<uint64_t>();
  CHECK(next > stored.rbegin()->first);
}
