// The conversation list pages through all of a user's conversations by last activity, and a
// conversation's view carries every member's read marker (read receipts after a reconnect).
#include <set>

#include "tests/messaging/messaging_harness.hpp"

using namespace parley::test_support;

TEST_CASE("the conversation list pages through every conversation, most recently active first",
          "[messaging][list]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  constexpr size_t groups = 130; // more than one page of the largest size (100)
  std::vector<std::string> ids;
  for (size_t i = 0; i < groups; ++i)
    ids.push_back(create_group(ann.ws, "Group " + std::to_string(i), {}));
  // The oldest group gets news: it moves to the top.
  send_text(ann.ws, ids.front(), "news in the oldest group");

  auto first = ok(ann.ws, "im.conversation.list", {{"limit", 100}});
  REQUIRE(first["conversations"].size() == 100);
  CHECK(first["more"] == true);
  CHECK(first["conversations"][0]["conversation"]["conversation_id"] == ids.front());
  CHECK(first["conversations"][0]["last_message"]["text"] == "news in the oldest group");

  // Pages of 40 from the start: every conversation exactly once, activity never increasing.
  std::vector<std::string> seen;
  std::vector<int64_t> activity;
  nlohmann::json args = {{"limit", 40}};
  for (int page = 0;; ++page) {
    REQUIRE(page < 10);
    auto listed = ok(ann.ws, "im.conversation.list", args);
    for (const auto& c : listed["conversations"]) {
      seen.push_back(c["conversation"]["conversation_id"]);
      activity.push_back(c["activity_at"].get<int64_t>());
    }
    if (!listed["more"].get<bool>()) {
      CHECK_FALSE(listed.contains("cursor"));
      break;
    }
    CHECK(listed["conversations"].size() == 40);
    args["cursor"] = listed["cursor"];
  }
  CHECK(seen.size() == groups);
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == std::set<std::string>(ids.begin(), ids.end()));
  CHECK(seen.front() == ids.front());
  for (size_t i = 1; i < activity.size(); ++i)
    CHECK(activity[i] <= activity[i - 1]);
  // The newest group (created last) comes right after the one with news.
  CHECK(seen[1] == ids.back());

  // A user with few conversations gets them all on one page, without a cursor.
  auto ben = sign_in(server, "ben");
  open_direct(ben.ws, ann.user);
  auto few = ok(ben.ws, "im.conversation.list");
  CHECK(few["conversations"].size() == 1);
  CHECK(few["more"] == false);

  refused(ann.ws, "im.conversation.list", {{"cursor", "not-a-cursor"}}, "bad_request");
  refused(ann.ws, "im.conversation.list", {{"cursor", 5}}, "bad_request");
}

TEST_CASE("a conversation's view shows every member's read marker after a reconnect and a restart",
          "[messaging][receipts]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  auto cat = sign_in(server, "cat");
  const auto id = create_group(ann.ws, "Receipts", {&ben.user, &cat.user});
  send_text(ann.ws, id, "one");
  auto second = send_text(ann.ws, id, "two");
  auto third = send_text(ann.ws, id, "three");
  ok(ben.ws, "im.read", {{"conversation_id", id}, {"seq", second}});
  ok(cat.ws, "im.read", {{"conversation_id", id}, {"seq", third}});

  auto check_markers = [&](ws_client& ws) {
    auto view = ok(ws, "im.conversation.get", {{"conversation_id", id}});
    auto markers = view["read_markers"];
    REQUIRE(markers.size() == 3);
    CHECK(markers[ann.user.id] == 0);
    CHECK(markers[ben.user.id] == second);
    CHECK(markers[cat.user.id] == third);
    CHECK(view["read_seq"] == 0);
  };
  // Ann's phone was offline when the receipts went out: the view tells it who read what.
  auto phone = reconnect(server, ann.token);
  check_markers(phone);

  server.stop();
  server.restart();
  auto after_restart = reconnect(server, ann.token);
  check_markers(after_restart);
}
