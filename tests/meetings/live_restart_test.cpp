// A live meeting across a restart (SIGKILL and graceful): host, roles, lock, bans and chat stay;
// participants who reconnect resume their place.
#include "tests/meetings/meeting_harness.hpp"

using namespace parley::test_support;

TEST_CASE("a live meeting keeps host, roles, lock, bans, share pause and chat across SIGKILL and a graceful restart",
          "[meetings][restart]") {
  parleyd_process server(grace_options(120'000));
  auto host = sign_in(server, "host");
  auto alice = sign_in(server, "alice");
  auto bob = sign_in(server, "bob");
  auto carol = sign_in(server, "carol");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}, {"guests_allowed", true}});
  auto hosted = join(host.ws, id);
  auto alice_join = join(alice.ws, id);
  ws_client visitor(server.host(), server.port());
  const auto guest_token = ok(visitor, "auth.guest", {{"meeting_id", id}, {"display_name", "Visitor"}})["guest_token"];
  auto guest_join = join(visitor, id);
  const auto bob_pid = join(bob.ws, id)["participant_id"];
  const auto alice_pid = alice_join["participant_id"];
  ok(host.ws, "participant.set_role", {{"participant_id", alice_pid}, {"role", "cohost"}});
  ok(host.ws, "participant.kick", {{"participant_id", bob_pid}, {"ban", true}});
  ok(host.ws, "meeting.lock", {{"locked", true}});
  ok(host.ws, "meeting.pause_share", {{"paused", true}});
  auto seq = ok(alice.ws, "chat.send", {{"text", "before the crash"}})["seq"];

  server.kill();
  server.restart();

  auto host2 = reconnect(server, host.token);
  auto resumed = join(host2, id, {{"resume_token", hosted["resume_token"]}});
  CHECK(resumed["resumed"] == true);
  CHECK(resumed["participant_id"] == hosted["participant_id"]);
  CHECK(resumed["role"] == "host");
  CHECK(resumed["locked"] == true);
  CHECK(resumed["share_paused"] == true);
  auto alice_seen = in_roster(resumed["roster"], alice_pid);
  CHECK(alice_seen["role"] == "cohost");
  CHECK(alice_seen["reconnecting"] == true);

  auto alice2 = reconnect(server, alice.token);
  auto alice_back = join(alice2, id, {{"resume_token", alice_join["resume_token"]}});
  CHECK(alice_back["participant_id"] == alice_pid);
  CHECK(alice_back["role"] == "cohost");
  auto history = ok(alice2, "chat.history")["messages"];
  REQUIRE(history.size() == 1);
  CHECK(history[0]["seq"] == seq);
  CHECK(history[0]["text"] == "before the crash");

  auto bob2 = reconnect(server, bob.token);
  refused(bob2, "meeting.join", {{"meeting_id", id}}, "banned");
  auto carol2 = reconnect(server, carol.token);
  refused(carol2, "meeting.join", {{"meeting_id", id}}, "meeting_locked");

  // A guest who resumes after the crash and is then banned stays out, even with a fresh guest token.
  auto visitor2 = reconnect(server, guest_token.get<std::string>());
  CHECK(join(visitor2, id, {{"resume_token", guest_join["resume_token"]}})["participant_id"]
        == guest_join["participant_id"]);
  ok(host2, "participant.kick", {{"participant_id", guest_join["participant_id"]}, {"ban", true}});
  CHECK(wait_event(visitor2, "meeting.removed")["reason"] == "banned");
  ws_client returning(server.host(), server.port());
  ok(returning, "auth.guest", {{"meeting_id", id}, {"display_name", "Visitor again"}});
  refused(returning, "meeting.join", {{"meeting_id", id}}, "banned");

  // A graceful restart keeps it too.
  ok(host2, "meeting.lock", {{"locked", false}});
  REQUIRE(server.stop() == 0);
  server.restart();
  auto host3 = reconnect(server, host.token);
  auto again = join(host3, id);
  CHECK(again["participant_id"] == hosted["participant_id"]);
  CHECK(again["role"] == "host");
  CHECK(again["locked"] == false);
  auto bob3 = reconnect(server, bob.token);
  refused(bob3, "meeting.join", {{"meeting_id", id}}, "banned");
  ws_client returning_again(server.host(), server.port());
  ok(returning_again, "auth.guest", {{"meeting_id", id}, {"display_name", "Visitor once more"}});
  refused(returning_again, "meeting.join", {{"meeting_id", id}}, "banned");
}
