// The rest of the host and participant controls: kick-all, unmute requests, recording permission,
// pausing screen shares, renaming, hands, host hand-over and reclaim, chat export, deleting with chat,
// personal meeting rooms, throttled passwords and meeting ids, the greeter and batched rosters.
#include <map>
#include <set>

#include "tests/meetings/meeting_harness.hpp"

using namespace parley::test_support;

TEST_CASE("kick-all, unmute requests, recording permission, share pause, renames and hands", "[meetings][controls]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  auto co = sign_in(server, "co");
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}});
  const auto host_pid = join(host.ws, id)["participant_id"];
  const auto co_pid = join(co.ws, id)["participant_id"];
  const auto ann_pid = join(ann.ws, id)["participant_id"];
  const auto ben_pid = join(ben.ws, id)["participant_id"];
  ok(host.ws, "participant.set_role", {{"participant_id", co_pid}, {"role", "cohost"}});

  // Asking to unmute never unmutes; the participant is told and decides.
  ok(host.ws, "participant.mute", {{"participant_id", ann_pid}});
  ok(co.ws, "participant.request_unmute", {{"participant_id", ann_pid}});
  auto asked = wait_event(ann.ws, "participant.unmute_requested");
  CHECK(asked["by"] == co_pid);
  CHECK(asked["kind"] == "audio");
  ok(ann.ws, "self.mute", {{"muted", false}});
  CHECK(wait_event_where(host.ws, "participant.updated", [&](const auto& d) {
          return d["participant"]["participant_id"] == ann_pid && d["participant"]["audio_muted"] == false;
        })["participant"]["audio_muted"] == false);
  refused(ann.ws, "participant.request_unmute", {{"participant_id", ben_pid}}, "forbidden");

  // Recording permission: one or everyone.
  ok(host.ws, "participant.allow_recording", {{"participant_id", ben_pid}, {"allowed", true}});
  CHECK(wait_event_where(ann.ws, "participant.updated", [&](const auto& d) {
          return d["participant"]["participant_id"] == ben_pid;
        })["participant"]["can_record"] == true);
  ok(host.ws, "participant.allow_recording", {{"participant_id", "all"}, {"allowed", true}});
  wait_event_where(ben.ws, "participant.updated", [&](const auto& d) {
    return d["participant"]["participant_id"] == ann_pid && d["participant"]["can_record"] == true;
  });
  refused(host.ws, "participant.allow_recording", {{"participant_id", ben_pid}}, "bad_request");

  // Pausing everyone's screen sharing is an event and part of the meeting state.
  ok(co.ws, "meeting.pause_share", {{"paused", true}});
  CHECK(wait_event(ben.ws, "meeting.share_paused")["paused"] == true);

  // Renaming: oneself while allowed; hosts rename anyone.
  ok(ann.ws, "participant.rename", {{"display_name", "Annie"}});
  wait_event_where(host.ws, "participant.updated", [&](const auto& d) {
    return d["participant"]["participant_id"] == ann_pid && d["participant"]["display_name"] == "Annie";
  });
  refused(ann.ws, "participant.rename", {{"participant_id", ben_pid}, {"display_name", "X"}}, "forbidden");
  ok(host.ws, "meeting.update", {{"meeting_id", id}, {"settings", {{"allow_rename", false}}}});
  refused(ann.ws, "participant.rename", {{"display_name", "Anne"}}, "forbidden");
  ok(host.ws, "participant.rename", {{"participant_id", ann_pid}, {"display_name", "Ann B."}});
  refused(ann.ws, "participant.rename", {{"display_name", ""}}, "bad_request");

  // Lowering all hands.
  ok(ann.ws, "hand.raise");
  ok(ben.ws, "hand.raise");
  ok(co.ws, "hand.lower", {{"participant_id", "all"}});
  std::set<std::string> lowered;
  while (lowered.size() < 2)
    lowered.insert(wait_event(host.ws, "hand.lowered")["participant_id"].get<std::string>());
  CHECK(lowered == std::set<std::string>{ann_pid.get<std::string>(), ben_pid.get<std::string>()});

  // Kick-all removes everyone but hosts and co-hosts.
  ok(host.ws, "participant.kick", {{"participant_id", "all"}});
  CHECK(wait_event(ann.ws, "meeting.removed")["reason"] == "kicked");
  CHECK(wait_event(ben.ws, "meeting.removed")["reason"] == "kicked");
  auto newcomer = sign_in(server, "new");
  auto view = join(newcomer.ws, id);
  CHECK(view["roster"].size() == 3); // host, co-host, newcomer
  CHECK(view["share_paused"] == true);
  in_roster(view["roster"], host_pid);
  in_roster(view["roster"], co_pid);
}

TEST_CASE("host passes to a co-host, else the longest-present participant, and the host reclaims it",
          "[meetings][handover]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  auto early = sign_in(server, "early");
  auto co = sign_in(server, "co");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}});
  join(host.ws, id);
  const auto early_pid = join(early.ws, id)["participant_id"];
  const auto co_pid = join(co.ws, id)["participant_id"];
  ok(host.ws, "participant.set_role", {{"participant_id", co_pid}, {"role", "cohost"}});

  ok(host.ws, "meeting.leave");
  wait_event_where(early.ws, "participant.updated", [&](const auto& d) {
    return d["participant"]["participant_id"] == co_pid && d["participant"]["role"] == "host";
  });
  ok(co.ws, "meeting.lock", {{"locked", false}});

  // The meeting's own host comes back and takes host back; the stand-in returns to co-host.
  auto back = join(host.ws, id);
  CHECK(back["role"] == "host");
  CHECK(in_roster(back["roster"], co_pid)["role"] == "cohost");
  wait_event_where(early.ws, "participant.updated", [&](const auto& d) {
    return d["participant"]["participant_id"] == co_pid && d["participant"]["role"] == "cohost";
  }); // everyone else sees the stand-in step back too

  // Without any co-host, the longest-present participant becomes host.
  ok(host.ws, "participant.set_role", {{"participant_id", co_pid}, {"role", "participant"}});
  ok(host.ws, "meeting.leave");
  wait_event_where(co.ws, "participant.updated", [&](const auto& d) {
    return d["participant"]["participant_id"] == early_pid && d["participant"]["role"] == "host";
  });
  refused(co.ws, "meeting.lock", {{"locked", true}}, "forbidden");
  ok(early.ws, "meeting.lock", {{"locked", true}});
  CHECK(join(host.ws, id)["role"] == "host"); // the host skips the lock
}

TEST_CASE("the host saves the chat as text, and deleting the meeting deletes its chat", "[meetings][chat][export]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  auto ann = sign_in(server, "ann");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}});
  const auto host_pid = join(host.ws, id)["participant_id"];
  join(ann.ws, id, {{"display_name", "Ann"}});
  ok(ann.ws, "chat.send", {{"text", "first line"}});
  ok(ann.ws, "chat.send", {{"text", "just for you"}, {"to", host_pid}});

  https_client http(server.host(), server.port());
  const auto path = "/api/v1/meetings/" + id + "/chat.txt";
  auto saved = http.get(path, {bearer(host.token)});
  INFO(saved.describe());
  REQUIRE(saved.status == 200);
  CHECK(saved.header("content-type").find("text/plain") == 0);
  CHECK(saved.body.find("Ann: first line") != std::string::npos);
  CHECK(saved.body.find("(private): just for you") != std::string::npos);
  CHECK(has_error(http.get(path, {bearer(ann.token)}), "forbidden"));
  CHECK(has_error(http.get(path), "unauthenticated"));
  CHECK(has_error(http.get(path, {bearer("not-a-token")}), "unauthenticated"));
  CHECK(has_error(http.get("/api/v1/meetings/99999999999/chat.txt", {bearer(host.token)}), "not_found"));
  CHECK(http.post_json(path, nlohmann::json::object(), {bearer(host.token)}).status == 405);

  ok(host.ws, "meeting.delete", {{"meeting_id", id}});
  CHECK(wait_event(ann.ws, "meeting.ended")["reason"] == "deleted");
  CHECK(has_error(http.get(path, {bearer(host.token)}), "not_found"));
}

TEST_CASE("a personal meeting id opens the owner's personal room", "[meetings][pmi]") {
  parleyd_process server(meeting_server_options());
  auto owner = sign_in(server, "owner");
  auto visitor = sign_in(server, "visitor");
  const auto pmi = ok(owner.ws, "user.pmi.get")["pmi"].get<std::string>();
  auto early = join(visitor.ws, pmi);
  CHECK(early["state"] == "waiting_for_host");
  CHECK(early["topic"] == "Personal meeting room");
  auto hosted = join(owner.ws, pmi);
  CHECK(hosted["role"] == "host");
  wait_event(visitor.ws, "meeting.admitted");
  // Ending it ends this session only: the personal room can be used again.
  ok(owner.ws, "meeting.end");
  wait_event(visitor.ws, "meeting.ended");
  CHECK(join(owner.ws, pmi)["role"] == "host");
  refused(visitor.ws, "meeting.join", {{"meeting_id", "2222222229"}}, "not_found");
}

TEST_CASE("wrong meeting passwords and unknown meeting ids are throttled", "[meetings][throttle]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  auto guesser = sign_in(server, "guess");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}}, {{"password", "right-one"}});
  for (int i = 0; i < 6; ++i)
    refused(guesser.ws, "meeting.join", {{"meeting_id", id}, {"password", "wrong" + std::to_string(i)}}, "bad_password");
  // After the sixth wrong password, even the right one waits (5 s, doubling).
  refused(guesser.ws, "meeting.join", {{"meeting_id", id}, {"password", "right-one"}}, "rate_limited");

  auto scanner = sign_in(server, "scan");
  int not_found = 0;
  bool limited = false;
  for (int i = 0; i < 40 && !limited; ++i) {
    auto response = scanner.ws.call("meeting.join", {{"meeting_id", std::to_string(99999999900ULL + i)}});
    if (is_ws_error(response, "not_found"))
      ++not_found;
    limited = is_ws_error(response, "rate_limited");
  }
  CHECK(limited);
  CHECK(not_found <= 30);
  // Other users are unaffected.
  join(host.ws, id);
}

TEST_CASE("the greeter extension welcomes joiners in chat when the meeting switches it on", "[meetings][extensions]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}});
  join(host.ws, id);
  join(ann.ws, id, {{"display_name", "Ann"}});
  ok(host.ws, "meeting.update", {{"meeting_id", id}, {"settings", {{"greeter", true}}}});
  join(ben.ws, id, {{"display_name", "Ben"}});
  auto welcome = wait_event(ann.ws, "chat.message");
  CHECK(welcome["text"] == "Welcome, Ben!");
  CHECK(welcome["from_name"] == "Greeter");
  // It is ordinary durable chat.
  auto history = ok(ben.ws, "chat.history")["messages"];
  REQUIRE(history.size() == 1);
  CHECK(history[0]["text"] == "Welcome, Ben!");
  // Switched off, it stays quiet.
  ok(host.ws, "meeting.update", {{"meeting_id", id}, {"settings", {{"greeter", false}}}});
  ok(ben.ws, "meeting.leave");
  join(ben.ws, id);
  ok(host.ws, "chat.send", {{"text", "marker"}});
  CHECK(wait_event(ann.ws, "chat.message")["text"] == "marker");
}

TEST_CASE("in big meetings roster changes come in batches and every roster ends exact", "[meetings][roster]") {
  auto options = meeting_server_options();
  options.args.push_back("--meeting-roster-batch-from=3");
  parleyd_process server(options);
  auto host = sign_in(server, "host");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}});
  std::map<std::string, nlohmann::json> host_view;
  const auto host_joined = join(host.ws, id); // keep the result alive while reading its roster
  for (const auto& p : host_joined["roster"])
    host_view[p["participant_id"].get<std::string>()] = p;
  std::vector<member> people;
  std::vector<std::string> pids;
  for (int i = 0; i < 6; ++i) {
    people.push_back(sign_in(server, "p"));
    pids.push_back(
      join(people.back().ws, id, {{"display_name", "P" + std::to_string(i)}})["participant_id"].get<std::string>());
  }
  ok(people[0].ws, "meeting.leave");
  ok(people[1].ws, "self.mute", {{"muted", true}});
  // The host makes no call from here on: a call would skip the events it reads past.
  // Apply the host's events until its roster matches: host + people 1..5, person 1 muted.
  auto apply = [&](const nlohmann::json& frame) {
    const auto& ev = frame["ev"];
    const auto& d = frame["data"];
    if (ev == "participant.joined" || ev == "participant.updated")
      host_view[d["participant"]["participant_id"].get<std::string>()] = d["participant"];
    else if (ev == "participant.left")
      host_view.erase(d["participant_id"].get<std::string>());
    else if (ev == "roster.changed") {
      for (const auto& p : d["joined"])
        host_view[p["participant_id"].get<std::string>()] = p;
      for (const auto& p : d["updated"])
        host_view[p["participant_id"].get<std::string>()] = p;
      for (const auto& gone : d["left"])
        host_view.erase(gone.get<std::string>());
    }
  };
  bool batched = false;
  auto exact = [&] {
    return host_view.size() == 6 && !host_view.count(pids[0]) && host_view.count(pids[1])
           && host_view[pids[1]]["audio_muted"] == true;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (!exact() && std::chrono::steady_clock::now() < deadline) {
    auto frame = host.ws.next(std::chrono::seconds{5});
    if (frame.what != ws_frame::kind::message)
      break;
    if (frame.value.contains("ev")) {
      batched = batched || frame.value["ev"] == "roster.changed";
      apply(frame.value);
    }
  }
  CHECK(exact());
  CHECK(batched);
  // A late joiner's roster is exact at once.
  auto late = sign_in(server, "late");
  CHECK(join(late.ws, id)["roster"].size() == 7);
}
