// Conversations: 1:1 (one per pair) and groups (create, rename, members, leave), people search, and
// that nobody outside a conversation can do anything with it.
#include "tests/messaging/messaging_harness.hpp"

using namespace parley::test_support;

TEST_CASE("a 1:1 conversation is one per pair and delivers text with emoji both ways", "[messaging][direct]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");

  auto opened = ok(ann.ws, "im.conversation.open_direct", {{"user_id", ben.user.id}});
  const std::string id = opened["conversation"]["conversation_id"];
  CHECK(opened["conversation"]["kind"] == "direct");
  CHECK(opened["conversation"]["members"].size() == 2);
  CHECK(open_direct(ben.ws, ann.user) == id); // the same conversation from either side
  CHECK(open_direct(ann.ws, ben.user) == id);
  refused(ann.ws, "im.conversation.open_direct", {{"user_id", ann.user.id}}, "bad_request");
  refused(ann.ws, "im.conversation.open_direct", {{"user_id", "00000000000000aa"}}, "not_found");

  const std::string text = "Hallo 👋 — ça va? 你好 🎉";
  auto seq = send_text(ann.ws, id, text);
  CHECK(seq == 1);
  auto got = next_message(ben.ws, id);
  CHECK(got["seq"] == seq);
  CHECK(got["text"] == text);
  CHECK(got["kind"] == "text");
  CHECK(got["sender_id"] == ann.user.id);

  auto reply = send_text(ben.ws, id, "fine 🙂");
  CHECK(reply == 2);
  CHECK(next_message_from(ann.ws, id, ben.user.id)["text"] == "fine 🙂");

  // Text rules: non-empty, well-formed UTF-8, at most 8192 bytes (a clear error, nothing stored).
  refused(ann.ws, "im.send", {{"conversation_id", id}, {"client_id", "e1"}, {"text", ""}}, "bad_request");
  refused(ann.ws, "im.send", {{"conversation_id", id}, {"client_id", "e2"}, {"text", std::string(8193, 'x')}},
          "payload_too_large");
  refused(ann.ws, "im.send", {{"conversation_id", id}, {"text", "no client id"}}, "bad_request");
  CHECK(whole_history(ann.ws, id).size() == 2);

  // A meeting invitation carries the meeting's join link.
  auto meeting = create_meeting(ann.ws);
  ok(ann.ws, "im.send", {{"conversation_id", id}, {"client_id", "inv"}, {"kind", "invite"}, {"meeting_id", meeting}});
  auto invite = next_message_from(ben.ws, id, ann.user.id);
  CHECK(invite["kind"] == "invite");
  CHECK(invite["meeting_id"] == meeting);
  CHECK(invite["join_url"] == "/j/" + meeting);
  refused(ann.ws, "im.send", {{"conversation_id", id}, {"client_id", "inv2"}, {"kind", "invite"}, {"meeting_id", "12"}},
          "bad_request");
}

TEST_CASE("groups: the owner renames and manages members, and members leave", "[messaging][group]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  auto cat = sign_in(server, "cat");
  auto dan = sign_in(server, "dan");

  const auto id = create_group(ann.ws, "Launch 🚀", {&ben.user, &cat.user});
  for (auto* m : {&ben, &cat}) {
    auto c = wait_event(m->ws, "im.conversation");
    CHECK(c["conversation_id"] == id);
    CHECK(c["name"] == "Launch 🚀");
    CHECK(c["owner_id"] == ann.user.id);
  }
  auto seq = send_text(cat.ws, id, "hi all");
  for (auto* m : {&ann, &ben, &cat}) {
    auto got = next_message(m->ws, id);
    while (got["kind"] != "text")
      got = next_message(m->ws, id);
    CHECK(got["seq"] == seq);
  }

  refused(ben.ws, "im.conversation.rename", {{"conversation_id", id}, {"name", "Mine"}}, "forbidden");
  ok(ann.ws, "im.conversation.rename", {{"conversation_id", id}, {"name", "Launch v2"}});
  auto renamed = wait_event(ben.ws, "im.conversation");
  CHECK(renamed["name"] == "Launch v2");

  refused(ben.ws, "im.conversation.add_members", {{"conversation_id", id}, {"user_ids", {dan.user.id}}}, "forbidden");
  auto added = ok(ann.ws, "im.conversation.add_members", {{"conversation_id", id}, {"user_ids", {dan.user.id}}});
  CHECK(added["conversation"]["members"].size() == 4);
  CHECK(wait_event(dan.ws, "im.conversation")["conversation_id"] == id);
  send_text(ann.ws, id, "welcome dan");
  auto welcome = next_message(dan.ws, id);
  while (welcome["kind"] != "text")
    welcome = next_message(dan.ws, id);
  CHECK(welcome["text"] == "welcome dan");

  refused(ben.ws, "im.conversation.remove_member", {{"conversation_id", id}, {"user_id", cat.user.id}}, "forbidden");
  ok(ann.ws, "im.conversation.remove_member", {{"conversation_id", id}, {"user_id", cat.user.id}});
  CHECK(wait_event(cat.ws, "im.removed")["conversation_id"] == id);
  refused(cat.ws, "im.send", {{"conversation_id", id}, {"client_id", "x"}, {"text", "still here?"}}, "forbidden");
  refused(cat.ws, "im.history", {{"conversation_id", id}}, "forbidden");

  ok(ben.ws, "im.conversation.leave", {{"conversation_id", id}});
  refused(ben.ws, "im.send", {{"conversation_id", id}, {"client_id", "y"}, {"text", "hello?"}}, "forbidden");
  // The owner leaving hands the group to the longest-standing member.
  ok(ann.ws, "im.conversation.leave", {{"conversation_id", id}});
  auto view = ok(dan.ws, "im.conversation.get", {{"conversation_id", id}});
  CHECK(view["conversation"]["owner_id"] == dan.user.id);
  CHECK(view["conversation"]["members"].size() == 1);

  // The timeline records every change in order.
  std::vector<std::string> actions;
  for (const auto& m : whole_history(dan.ws, id))
    if (m["kind"] == "event")
      actions.push_back(m["action"]);
  CHECK(actions == std::vector<std::string>{"created", "renamed", "added", "removed", "left", "left"});

  // Direct conversations have no group ops.
  auto direct = open_direct(ann.ws, ben.user);
  refused(ann.ws, "im.conversation.rename", {{"conversation_id", direct}, {"name", "x"}}, "bad_request");
}

TEST_CASE("nobody outside a conversation can use it, and people search finds colleagues", "[messaging][authorisation]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  auto eve = sign_in(server, "eve");
  const auto direct = open_direct(ann.ws, ben.user);
  const auto group = create_group(ann.ws, "Team", {&ben.user});
  auto seq = send_text(ann.ws, direct, "private");
  send_text(ann.ws, group, "team only");

  for (const auto& id : {direct, group}) {
    const nlohmann::json c = {{"conversation_id", id}};
    auto with = [&](nlohmann::json extra) {
      extra.update(c);
      return extra;
    };
    refused(eve.ws, "im.conversation.get", c, "forbidden");
    refused(eve.ws, "im.send", with({{"client_id", "e"}, {"text", "hi"}}), "forbidden");
    refused(eve.ws, "im.edit", with({{"seq", seq}, {"text", "mine now"}}), "forbidden");
    refused(eve.ws, "im.delete", with({{"seq", seq}}), "forbidden");
    refused(eve.ws, "im.history", c, "forbidden");
    refused(eve.ws, "im.sync", with({{"after_seq", 0}}), "forbidden");
    refused(eve.ws, "im.read", with({{"seq", 1}}), "forbidden");
    refused(eve.ws, "im.typing", with({{"typing", true}}), "forbidden");
    refused(eve.ws, "im.conversation.rename", with({{"name", "x"}}), "forbidden");
    refused(eve.ws, "im.conversation.add_members", with({{"user_ids", {eve.user.id}}}), "forbidden");
    refused(eve.ws, "im.conversation.remove_member", with({{"user_id", ben.user.id}}), "forbidden");
    refused(eve.ws, "im.conversation.leave", c, "forbidden");
  }
  refused(eve.ws, "im.history", {{"conversation_id", "0123456789abcdef"}}, "not_found");
  CHECK(ok(eve.ws, "im.conversation.list")["conversations"].empty());
  CHECK(ok(ann.ws, "im.conversation.list")["conversations"].size() == 2);

  auto people = ok(eve.ws, "people.search", {{"query", ben.user.username.substr(0, 6)}})["people"];
  bool found = false;
  for (const auto& p : people)
    found = found || p["user_id"] == ben.user.id;
  CHECK(found);
  for (const auto& p : people)
    CHECK(p["user_id"] != eve.user.id); // not oneself
  CHECK(ok(eve.ws, "people.search", {{"query", "no-such-person-zz"}})["people"].empty());
  refused(eve.ws, "people.search", {{"query", ""}}, "bad_request");
}
