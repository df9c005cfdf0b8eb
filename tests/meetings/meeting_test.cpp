// Scheduling, personal meeting ids, joining, waiting room, lock, kick and ban, end — against a real parleyd.
#include <regex>

#include "tests/meetings/meeting_harness.hpp"

using namespace parley::test_support;

TEST_CASE("a host schedules, reads, edits, lists and deletes a meeting", "[meetings]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  auto other = sign_in(server, "other");

  auto created = ok(host.ws, "meeting.create",
                    {{"topic", "Planning"}, {"start_at", 4102444800}, {"duration_min", 45}, {"password", "s3cret"},
                     {"settings", {{"waiting_room", true}, {"chat", "host_only"}, {"max_participants", 10}}}});
  const auto id = created["meeting_id"].get<std::string>();
  CHECK(std::regex_match(id, std::regex("[1-9][0-9]{10}")));
  CHECK(created["join_url"].get<std::string>().find(id) != std::string::npos);
  CHECK(created["invite_text"].get<std::string>().find("Planning") != std::string::npos);
  CHECK(created["meeting"]["has_password"] == true);
  CHECK(created["meeting"].dump().find("s3cret") == std::string::npos);

  auto got = ok(host.ws, "meeting.get", {{"meeting_id", id}})["meeting"];
  CHECK(got["topic"] == "Planning");
  CHECK(got["duration_min"] == 45);
  CHECK(got["settings"]["waiting_room"] == true);
  CHECK(got["settings"]["chat"] == "host_only");
  CHECK(got["settings"]["max_participants"] == 10);

  refused(other.ws, "meeting.get", {{"meeting_id", id}}, "forbidden");
  refused(other.ws, "meeting.update", {{"meeting_id", id}, {"topic", "Mine now"}}, "forbidden");
  refused(other.ws, "meeting.delete", {{"meeting_id", id}}, "forbidden");
  refused(host.ws, "meeting.create", {{"topic", ""}}, "bad_request");
  refused(host.ws, "meeting.create", {{"topic", "x"}, {"settings", {{"chat", "loud"}}}}, "bad_request");
  refused(host.ws, "meeting.create", {{"topic", "x"}, {"settings", {{"max_participants", 5000}}}}, "bad_request");
  refused(host.ws, "meeting.create", {{"topic", "x"}, {"settings", {{"no_such", true}}}}, "bad_request");
  refused(host.ws, "meeting.get", {{"meeting_id", "12345"}}, "bad_request");
  refused(host.ws, "meeting.get", {{"meeting_id", "99999999999"}}, "not_found");

  auto updated = ok(host.ws, "meeting.update", {{"meeting_id", id}, {"topic", "Planning v2"},
                                                {"settings", {{"mute_on_entry", true}}}})["meeting"];
  CHECK(updated["topic"] == "Planning v2");
  CHECK(updated["settings"]["mute_on_entry"] == true);
  CHECK(updated["settings"]["waiting_room"] == true); // untouched settings stay

  auto listed = ok(host.ws, "meeting.list");
  REQUIRE(listed["upcoming"].size() == 1);
  CHECK(listed["upcoming"][0]["meeting_id"] == id);
  CHECK(listed["past"].empty());
  CHECK(ok(other.ws, "meeting.list")["upcoming"].empty());

  ok(host.ws, "meeting.delete", {{"meeting_id", id}});
  refused(host.ws, "meeting.get", {{"meeting_id", id}}, "not_found");
  refused(other.ws, "meeting.join", {{"meeting_id", id}}, "not_found");

  // Meetings survive a restart.
  auto kept = ok(host.ws, "meeting.create", {{"topic", "Survivor"}})["meeting_id"].get<std::string>();
  server.kill();
  server.restart();
  auto again = reconnect(server, host.token);
  CHECK(ok(again, "meeting.get", {{"meeting_id", kept}})["meeting"]["topic"] == "Survivor");
}

TEST_CASE("each user has a personal meeting id that is stable, validated and unique", "[meetings][pmi]") {
  parleyd_process server(meeting_server_options());
  auto alice = sign_in(server, "alice");
  auto bob = sign_in(server, "bob");
  auto pmi = ok(alice.ws, "user.pmi.get")["pmi"].get<std::string>();
  CHECK(std::regex_match(pmi, std::regex("[1-9][0-9]{9}")));
  CHECK(ok(alice.ws, "user.pmi.get")["pmi"] == pmi);
  for (auto bad : {"123", "0123456789", "1111111111", "1234567890", "12345678ab"})
    refused(alice.ws, "user.pmi.set", {{"pmi", bad}}, "bad_request");
  CHECK(ok(alice.ws, "user.pmi.set", {{"pmi", "5550172639"}})["pmi"] == "5550172639");
  CHECK(ok(alice.ws, "user.pmi.get")["pmi"] == "5550172639");
  refused(bob.ws, "user.pmi.set", {{"pmi", "5550172639"}}, "conflict");
  // The old one is free again.
  CHECK(ok(bob.ws, "user.pmi.set", {{"pmi", pmi}})["pmi"] == pmi);
  server.stop();
  server.restart();
  auto again = reconnect(server, alice.token);
  CHECK(ok(again, "user.pmi.get")["pmi"] == "5550172639");
}

TEST_CASE("early participants wait for the host, then for admission", "[meetings][waiting]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  auto early = sign_in(server, "early");
  auto late = sign_in(server, "late");
  const auto id = create_meeting(host.ws, {{"waiting_room", true}});

  auto first = join(early.ws, id, {{"display_name", "Early Bird"}});
  CHECK(first["state"] == "waiting_for_host");
  CHECK(first["roster"].empty());
  const auto early_pid = first["participant_id"].get<std::string>();

  auto hosted = join(host.ws, id);
  CHECK(hosted["state"] == "joined");
  CHECK(hosted["role"] == "host");
  REQUIRE(hosted["waiting"].size() == 1);
  CHECK(hosted["waiting"][0]["participant_id"] == early_pid);
  CHECK(hosted["waiting"][0]["display_name"] == "Early Bird");
  CHECK(wait_event(early.ws, "meeting.waiting")["participant"]["state"] == "waiting");

  auto second = join(late.ws, id);
  CHECK(second["state"] == "waiting");
  const auto late_pid = second["participant_id"].get<std::string>();
  CHECK(wait_event(host.ws, "meeting.waiting")["participant"]["participant_id"] == late_pid);

  // A participant still waiting cannot chat or control.
  refused(early.ws, "chat.send", {{"text", "hi"}}, "forbidden");

  ok(host.ws, "meeting.admit", {{"participant_id", early_pid}});
  auto admitted = wait_event(early.ws, "meeting.admitted");
  CHECK(admitted["state"] == "joined");
  CHECK(admitted["roster"].size() == 2);
  ok(host.ws, "meeting.deny", {{"participant_id", late_pid}});
  CHECK(wait_event(late.ws, "meeting.removed")["reason"] == "denied");
  refused(host.ws, "meeting.admit", {{"participant_id", late_pid}}, "not_found");
}

TEST_CASE("lock, password, kick with ban, capacity and end", "[meetings][controls]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  auto guest = sign_in(server, "guest");
  auto newcomer = sign_in(server, "newcomer");
  auto third = sign_in(server, "third");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}, {"max_participants", 3}},
                                 {{"password", "open-sesame"}});

  join(host.ws, id);
  refused(guest.ws, "meeting.join", {{"meeting_id", id}}, "bad_password");
  refused(guest.ws, "meeting.join", {{"meeting_id", id}, {"password", "wrong"}}, "bad_password");
  auto joined = join(guest.ws, id, {{"password", "open-sesame"}});
  CHECK(joined["state"] == "joined");
  CHECK(joined["role"] == "participant");
  const auto guest_pid = joined["participant_id"].get<std::string>();
  CHECK(wait_event(host.ws, "participant.joined")["participant"]["participant_id"] == guest_pid);

  ok(host.ws, "meeting.lock", {{"locked", true}});
  CHECK(wait_event(guest.ws, "meeting.locked")["locked"] == true);
  refused(newcomer.ws, "meeting.join", {{"meeting_id", id}, {"password", "open-sesame"}}, "meeting_locked");
  ok(host.ws, "meeting.lock", {{"locked", false}});
  join(newcomer.ws, id, {{"password", "open-sesame"}});
  refused(third.ws, "meeting.join", {{"meeting_id", id}, {"password", "open-sesame"}}, "meeting_full");

  // Mutes, hands and roles fan out as participant.updated / hand.* events.
  ok(host.ws, "participant.mute", {{"participant_id", guest_pid}, {"kind", "audio"}});
  CHECK(wait_event(newcomer.ws, "participant.updated")["participant"]["audio_muted"] == true);
  ok(guest.ws, "hand.raise");
  CHECK(wait_event(newcomer.ws, "hand.raised")["participant_id"] == guest_pid);
  ok(host.ws, "hand.lower", {{"participant_id", guest_pid}});
  CHECK(wait_event(newcomer.ws, "hand.lowered")["participant_id"] == guest_pid);
  ok(host.ws, "participant.set_role", {{"participant_id", guest_pid}, {"role", "cohost"}});
  CHECK(wait_event(newcomer.ws, "participant.updated")["participant"]["role"] == "cohost");
  ok(host.ws, "participant.set_role", {{"participant_id", guest_pid}, {"role", "participant"}});

  ok(host.ws, "participant.kick", {{"participant_id", guest_pid}, {"ban", true}});
  CHECK(wait_event(guest.ws, "meeting.removed")["reason"] == "banned");
  CHECK(wait_event(newcomer.ws, "participant.left")["participant_id"] == guest_pid);
  refused(guest.ws, "meeting.join", {{"meeting_id", id}, {"password", "open-sesame"}}, "banned");

  // Leaving frees the seat; a dropped connection keeps it while "reconnecting".
  ok(newcomer.ws, "meeting.leave");
  const auto third_pid = join(third.ws, id, {{"password", "open-sesame"}})["participant_id"];
  third.ws.close();
  wait_event_where(host.ws, "participant.updated", [&](const nlohmann::json& d) {
    return d["participant"]["participant_id"] == third_pid && d["participant"]["reconnecting"] == true;
  });

  join(newcomer.ws, id, {{"password", "open-sesame"}});
  ok(host.ws, "meeting.end");
  CHECK(wait_event(newcomer.ws, "meeting.ended")["reason"] == "ended_by_host");
  refused(newcomer.ws, "chat.send", {{"text", "anyone?"}}, "forbidden");
  refused(newcomer.ws, "meeting.join", {{"meeting_id", id}, {"password", "open-sesame"}}, "meeting_ended");
  auto listed = ok(host.ws, "meeting.list");
  REQUIRE(listed["past"].size() == 1);
  CHECK(listed["past"][0]["peak_participants"] == 3);
  CHECK(listed["past"][0]["ended_at"] > 0);
}
