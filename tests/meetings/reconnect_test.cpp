// Reconnect grace and guests: a dropped participant stays "reconnecting", resumes with its role and
// state, or leaves after the grace period; guests join one meeting with a guest token.
#include "tests/meetings/meeting_harness.hpp"

using namespace parley::test_support;

namespace {

bool is_reconnecting(const nlohmann::json& data, const nlohmann::json& pid, bool reconnecting) {
  return data["participant"]["participant_id"] == pid && data["participant"]["reconnecting"] == reconnecting;
}

} // namespace

TEST_CASE("a dropped participant is reconnecting, then resumes role, hand and mute without the waiting room",
          "[meetings][reconnect]") {
  parleyd_process server(grace_options(60'000));
  auto host = sign_in(server, "host");
  auto alice = sign_in(server, "alice");
  const auto id = create_meeting(host.ws, {{"waiting_room", true}});
  join(host.ws, id);
  auto first = join(alice.ws, id, {{"display_name", "Alice"}});
  REQUIRE(first["state"] == "waiting");
  const auto pid = first["participant_id"];
  const auto token = first["resume_token"].get<std::string>();
  CHECK(token.size() == 32);
  ok(host.ws, "meeting.admit", {{"participant_id", pid}});
  wait_event(alice.ws, "meeting.admitted");
  ok(host.ws, "participant.set_role", {{"participant_id", pid}, {"role", "cohost"}});
  ok(alice.ws, "hand.raise");
  ok(alice.ws, "self.mute", {{"muted", true}});

  alice.ws.close();
  wait_event_where(host.ws, "participant.updated", [&](const auto& d) { return is_reconnecting(d, pid, true); });

  // A new connection with the resume token takes the same place: no waiting room, same role and state.
  auto again = reconnect(server, alice.token);
  auto resumed = join(again, id, {{"resume_token", token}});
  CHECK(resumed["resumed"] == true);
  CHECK(resumed["state"] == "joined");
  CHECK(resumed["participant_id"] == pid);
  CHECK(resumed["role"] == "cohost");
  auto me = in_roster(resumed["roster"], pid);
  CHECK(me["hand_raised"] == true);
  CHECK(me["audio_muted"] == true);
  CHECK(me["reconnecting"] == false);
  CHECK(me["display_name"] == "Alice");
  wait_event_where(host.ws, "participant.updated", [&](const auto& d) { return is_reconnecting(d, pid, false); });
  ok(again, "meeting.lock", {{"locked", true}}); // still a co-host

  // The same user coming back without the token resumes too (even though the meeting is locked).
  again.close();
  wait_event_where(host.ws, "participant.updated", [&](const auto& d) { return is_reconnecting(d, pid, true); });
  auto third = reconnect(server, alice.token);
  auto back = join(third, id);
  CHECK(back["participant_id"] == pid);
  CHECK(back["role"] == "cohost");

  // A resume token is bound to its user: someone else cannot take the seat with it.
  auto mallory = sign_in(server, "mallory");
  ok(host.ws, "meeting.lock", {{"locked", false}});
  auto other = join(mallory.ws, id, {{"resume_token", token}});
  CHECK(other["participant_id"] != pid);
  CHECK(other["state"] == "waiting");
}

TEST_CASE("a participant who does not come back within the grace period leaves", "[meetings][reconnect]") {
  parleyd_process server(grace_options(2'000));
  auto host = sign_in(server, "host");
  auto bob = sign_in(server, "bob");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}});
  join(host.ws, id);
  const auto pid = join(bob.ws, id)["participant_id"];
  bob.ws.close();
  wait_event_where(host.ws, "participant.updated", [&](const auto& d) { return is_reconnecting(d, pid, true); });
  CHECK(wait_event(host.ws, "participant.left", std::chrono::seconds{30})["participant_id"] == pid);
  // Coming back later is a fresh join with a new participant id.
  auto again = reconnect(server, bob.token);
  CHECK(join(again, id)["participant_id"] != pid);
}

TEST_CASE("guests join with a display name and a guest token, only where guests are allowed",
          "[meetings][guests]") {
  parleyd_process server(grace_options(60'000));
  auto host = sign_in(server, "host");
  const auto members_only = create_meeting(host.ws, {{"join_before_host", true}});
  const auto open = create_meeting(host.ws, {{"join_before_host", true}, {"guests_allowed", true}});
  join(host.ws, open);

  ws_client visitor(server.host(), server.port());
  refused(visitor, "meeting.join", {{"meeting_id", open}}, "unauthenticated");
  refused(visitor, "auth.guest", {{"meeting_id", members_only}, {"display_name", "Visitor"}}, "forbidden");
  refused(visitor, "auth.guest", {{"meeting_id", "99999999999"}, {"display_name", "Visitor"}}, "not_found");
  refused(visitor, "auth.guest", {{"meeting_id", open}}, "bad_request");
  auto granted = ok(visitor, "auth.guest", {{"meeting_id", open}, {"display_name", "Visitor"}});
  CHECK(granted["user"]["guest"] == true);
  CHECK(granted["user"]["display_name"] == "Visitor");
  const auto guest_token = granted["guest_token"].get<std::string>();
  CHECK(granted["expires_at"].get<int64_t>() > 0);

  // A guest may join that meeting only, and nothing else.
  refused(visitor, "meeting.join", {{"meeting_id", members_only}}, "forbidden");
  refused(visitor, "meeting.create", {{"topic", "mine"}}, "forbidden");
  refused(visitor, "meeting.list", nlohmann::json::object(), "forbidden");
  refused(visitor, "user.pmi.get", nlohmann::json::object(), "forbidden");
  refused(visitor, "meeting.get", {{"meeting_id", open}}, "forbidden");
  auto view = join(visitor, open);
  CHECK(view["state"] == "joined");
  CHECK(view["role"] == "participant");
  const auto pid = view["participant_id"];
  CHECK(in_roster(view["roster"], pid)["guest"] == true);
  auto seen = wait_event(host.ws, "participant.joined")["participant"];
  CHECK(seen["display_name"] == "Visitor");
  CHECK(seen["guest"] == true);
  refused(visitor, "participant.mute", {{"participant_id", "all"}}, "forbidden");
  ok(visitor, "chat.send", {{"text", "hello from a guest"}});

  // The guest token signs a new connection in; the guest resumes their place.
  visitor.close();
  ws_client back(server.host(), server.port());
  auto hello = ok(back, "auth.hello", {{"token", guest_token}});
  CHECK(hello["user"]["guest"] == true);
  CHECK(join(back, open)["participant_id"] == pid);

  // Signed-in users only from now on: new guests are refused.
  ok(host.ws, "meeting.update", {{"meeting_id", open}, {"settings", {{"guests_allowed", false}}}});
  ws_client late(server.host(), server.port());
  refused(late, "auth.guest", {{"meeting_id", open}, {"display_name", "Late"}}, "forbidden");

  // A banned guest cannot come back with a fresh guest token either.
  ok(host.ws, "meeting.update", {{"meeting_id", open}, {"settings", {{"guests_allowed", true}}}});
  ok(host.ws, "participant.kick", {{"participant_id", pid}, {"ban", true}});
  CHECK(wait_event(back, "meeting.removed")["reason"] == "banned");
  ws_client returning(server.host(), server.port());
  ok(returning, "auth.guest", {{"meeting_id", open}, {"display_name", "Visitor again"}});
  refused(returning, "meeting.join", {{"meeting_id", open}}, "banned");
}
