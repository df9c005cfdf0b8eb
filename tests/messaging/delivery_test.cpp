// Delivery: every device, offline sync, unread counts, read receipts, typing, edit/delete, paging,
// one order under concurrent senders, idempotent retries.
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/messaging/messaging_harness.hpp"

using namespace parley::test_support;

TEST_CASE("every device gets every message, and an offline device catches up by sync", "[messaging][sync]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  auto ann_phone = reconnect(server, ann.token);
  const auto id = open_direct(ben.ws, ann.user);

  auto first = send_text(ben.ws, id, "to both devices");
  for (auto* device : {&ann.ws, &ann_phone}) {
    auto got = next_message(*device, id);
    CHECK(got["seq"] == first);
    CHECK(got["text"] == "to both devices");
  }
  // The sender's other devices see what it sent too.
  auto ben_laptop = reconnect(server, ben.token);
  auto own = send_text(ben.ws, id, "from my phone");
  CHECK(next_message(ben_laptop, id)["seq"] == own);
  CHECK(next_message(ann_phone, id)["seq"] == own);

  // The phone goes offline; three more arrive; it comes back and syncs from the last seq it saw.
  const auto last_seen = own;
  ann_phone.close();
  std::vector<uint64_t> missed;
  for (auto text : {"one", "two ✌️", "three"})
    missed.push_back(send_text(ben.ws, id, text));
  auto phone = reconnect(server, ann.token);
  auto list = ok(phone, "im.conversation.list")["conversations"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["conversation"]["conversation_id"] == id);
  CHECK(list[0]["last_seq"] == missed.back());
  CHECK(list[0]["unread"] == 5); // ann has read nothing yet
  CHECK(list[0]["last_message"]["text"] == "three");
  auto synced = ok(phone, "im.sync", {{"conversation_id", id}, {"after_seq", last_seen}});
  REQUIRE(synced["messages"].size() == 3);
  for (size_t i = 0; i < 3; ++i)
    CHECK(synced["messages"][i]["seq"] == missed[i]);
  CHECK(synced["messages"][1]["text"] == "two ✌️");
  CHECK_FALSE(synced["more"].get<bool>());
  CHECK(ok(phone, "im.sync", {{"conversation_id", id}, {"after_seq", missed.back()}})["messages"].empty());
}

TEST_CASE("read receipts clear unread counts and reach the other side, and typing is never stored",
          "[messaging][receipts][typing]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  const auto id = open_direct(ann.ws, ben.user);
  send_text(ann.ws, id, "a");
  auto second = send_text(ann.ws, id, "b");
  CHECK(ok(ben.ws, "im.conversation.get", {{"conversation_id", id}})["unread"] == 2);
  CHECK(ok(ann.ws, "im.conversation.get", {{"conversation_id", id}})["unread"] == 0); // one's own do not count

  CHECK(ok(ben.ws, "im.read", {{"conversation_id", id}, {"seq", second}})["read_seq"] == second);
  auto receipt = wait_event(ann.ws, "im.read");
  CHECK(receipt["conversation_id"] == id);
  CHECK(receipt["user_id"] == ben.user.id);
  CHECK(receipt["seq"] == second);
  auto view = ok(ben.ws, "im.conversation.get", {{"conversation_id", id}});
  CHECK(view["unread"] == 0);
  CHECK(view["read_seq"] == second);
  // Markers never move back.
  CHECK(ok(ben.ws, "im.read", {{"conversation_id", id}, {"seq", 1}})["read_seq"] == second);

  ok(ann.ws, "im.typing", {{"conversation_id", id}, {"typing", true}});
  auto typing = wait_event(ben.ws, "im.typing");
  CHECK(typing["user_id"] == ann.user.id);
  CHECK(typing["typing"] == true);
  ok(ann.ws, "im.typing", {{"conversation_id", id}, {"typing", false}});
  CHECK(wait_event(ben.ws, "im.typing")["typing"] == false);
  CHECK(whole_history(ben.ws, id).size() == 2); // typing left no trace
}

TEST_CASE("senders edit and delete their own messages, and deletes leave a tombstone", "[messaging][edit]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  const auto id = open_direct(ann.ws, ben.user);
  auto seq = send_text(ann.ws, id, "helo");
  next_message(ben.ws, id);

  ok(ann.ws, "im.edit", {{"conversation_id", id}, {"seq", seq}, {"text", "hello"}});
  auto edit = next_message(ben.ws, id);
  CHECK(edit["kind"] == "edit");
  CHECK(edit["target_seq"] == seq);
  CHECK(edit["text"] == "hello");
  refused(ben.ws, "im.edit", {{"conversation_id", id}, {"seq", seq}, {"text", "hijack"}}, "forbidden");
  refused(ben.ws, "im.delete", {{"conversation_id", id}, {"seq", seq}}, "forbidden");
  refused(ann.ws, "im.edit", {{"conversation_id", id}, {"seq", 999}, {"text", "x"}}, "not_found");

  auto history = whole_history(ben.ws, id);
  REQUIRE(history.size() == 2);
  CHECK(history[0]["text"] == "hello");
  CHECK(history[0]["edited_at"].get<int64_t>() > 0);

  ok(ann.ws, "im.delete", {{"conversation_id", id}, {"seq", seq}});
  auto removal = next_message(ben.ws, id);
  CHECK(removal["kind"] == "delete");
  CHECK(removal["target_seq"] == seq);
  history = whole_history(ben.ws, id);
  REQUIRE(history.size() == 3);
  CHECK(history[0]["deleted"] == true);
  CHECK_FALSE(history[0].contains("text"));
  refused(ann.ws, "im.edit", {{"conversation_id", id}, {"seq", seq}, {"text", "back"}}, "conflict");
}

TEST_CASE("history pages backwards without gaps or repeats", "[messaging][history]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  const auto id = open_direct(ann.ws, ben.user);
  constexpr int total = 130;
  for (int i = 1; i <= total; ++i) {
    auto rid = ann.ws.send_request("im.send", {{"conversation_id", id}, {"client_id", "p" + std::to_string(i)},
                                               {"text", "m" + std::to_string(i)}});
    REQUIRE(is_ws_ok(ann.ws.read_response(rid, std::chrono::seconds{15})));
  }
  auto newest = ok(ben.ws, "im.history", {{"conversation_id", id}, {"limit", 50}});
  REQUIRE(newest["messages"].size() == 50);
  CHECK(newest["messages"][49]["text"] == "m130");
  CHECK(newest["messages"][0]["seq"] == 81);
  CHECK(newest["more"] == true);
  auto older = ok(ben.ws, "im.history", {{"conversation_id", id}, {"before_seq", 81}, {"limit", 50}});
  CHECK(older["messages"][0]["seq"] == 31);
  CHECK(older["messages"][49]["seq"] == 80);
  auto all = whole_history(ben.ws, id);
  REQUIRE(all.size() == total);
  for (int i = 0; i < total; ++i)
    CHECK(all[i]["text"] == "m" + std::to_string(i + 1));
  refused(ben.ws, "im.history", {{"conversation_id", id}, {"limit", 101}}, "bad_request");
}

TEST_CASE("concurrent senders: every member sees the same single order", "[messaging][order]") {
  parleyd_process server(meeting_server_options());
  std::vector<member> people;
  for (int i = 0; i < 4; ++i)
    people.push_back(sign_in(server, "p"));
  std::vector<const account*> others;
  for (size_t i = 1; i < people.size(); ++i)
    others.push_back(&people[i].user);
  const auto id = create_group(people[0].ws, "Race", others);
  // A second connection per member only listens, so senders' responses do not mix with the check.
  std::vector<ws_client> listeners;
  for (auto& p : people)
    listeners.push_back(reconnect(server, p.token));

  constexpr int per_sender = 40;
  std::vector<std::thread> senders;
  for (size_t s = 0; s < people.size(); ++s)
    senders.emplace_back([&, s] {
      std::vector<uint64_t> ids;
      for (int i = 0; i < per_sender; ++i)
        ids.push_back(people[s].ws.send_request(
          "im.send", {{"conversation_id", id}, {"client_id", "c" + std::to_string(s) + "-" + std::to_string(i)},
                      {"text", std::to_string(s) + ":" + std::to_string(i)}}));
      for (auto rid : ids)
        if (!is_ws_ok(people[s].ws.read_response(rid, std::chrono::seconds{30})))
          throw std::runtime_error("send refused");
    });
  for (auto& t : senders)
    t.join();

  const size_t total = people.size() * per_sender;
  std::vector<std::vector<std::pair<uint64_t, std::string>>> seen(listeners.size());
  for (size_t l = 0; l < listeners.size(); ++l)
    while (seen[l].size() < total) {
      auto m = next_message(listeners[l], id, std::chrono::seconds{30});
      if (m["kind"] == "text")
        seen[l].emplace_back(m["seq"].get<uint64_t>(), m["text"].get<std::string>());
    }
  for (size_t l = 1; l < seen.size(); ++l)
    CHECK(seen[l] == seen[0]);
  for (size_t i = 1; i < seen[0].size(); ++i)
    CHECK(seen[0][i].first == seen[0][i - 1].first + 1); // live order is seq order, without gaps
  // Each sender's own messages keep the order they were sent in.
  std::map<std::string, int> next_of;
  for (const auto& [seq, text] : seen[0]) {
    auto sender = text.substr(0, text.find(':'));
    CHECK(std::stoi(text.substr(text.find(':') + 1)) == next_of[sender]++);
  }
  auto history = whole_history(people[0].ws, id);
  REQUIRE(history.size() == total + 1); // + "created"
  for (size_t i = 0; i < total; ++i)
    CHECK(history[i + 1]["text"] == seen[0][i].second);
}

TEST_CASE("a retried send with the same client id is stored once", "[messaging][idempotent]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  const auto id = open_direct(ann.ws, ben.user);
  const nlohmann::json args = {{"conversation_id", id}, {"client_id", "retry-1"}, {"text", "only once"}};
  // Two sends back to back, as a client that retries before the first answer arrives.
  auto r1 = ann.ws.send_request("im.send", args);
  auto r2 = ann.ws.send_request("im.send", args);
  auto a1 = ann.ws.read_response(r1);
  auto a2 = ann.ws.read_response(r2);
  REQUIRE(is_ws_ok(a1));
  REQUIRE(is_ws_ok(a2));
  CHECK(a1["result"]["seq"] == a2["result"]["seq"]);
  auto again = ok(ann.ws, "im.send", args); // and once more later
  CHECK(again["seq"] == a1["result"]["seq"]);
  CHECK(again["duplicate"] == true);
  CHECK(whole_history(ben.ws, id).size() == 1);

  // Across a restart, too.
  server.stop();
  server.restart();
  auto ws = reconnect(server, ann.token);
  auto after = ok(ws, "im.send", args);
  CHECK(after["seq"] == a1["result"]["seq"]);
  CHECK(after["duplicate"] == true);
  CHECK(whole_history(ws, id).size() == 1);
}
