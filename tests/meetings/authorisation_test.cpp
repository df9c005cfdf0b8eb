// Authorisation matrix: every host op by a participant, a user of another meeting, a user in no meeting
// and an unauthenticated connection is refused, and the meeting is unchanged afterwards.
#include "tests/meetings/meeting_harness.hpp"

using namespace parley::test_support;

TEST_CASE("host ops are refused to everyone but hosts, and change nothing", "[meetings][authorisation]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "host");
  auto member_a = sign_in(server, "pa");
  auto waiting_user = sign_in(server, "wait");
  auto other_host = sign_in(server, "hostb");
  auto member_b = sign_in(server, "pb");
  auto outsider = sign_in(server, "out");
  ws_client anonymous(server.host(), server.port());

  const auto meeting_a = create_meeting(host.ws, {{"join_before_host", true}, {"guests_allowed", true}});
  const auto meeting_b = create_meeting(other_host.ws, {{"join_before_host", true}});
  const auto host_pid = join(host.ws, meeting_a)["participant_id"].get<std::string>();
  const auto pa = join(member_a.ws, meeting_a)["participant_id"].get<std::string>();
  join(other_host.ws, meeting_b);
  join(member_b.ws, meeting_b);
  ok(member_a.ws, "hand.raise");
  // Someone waits in meeting A's waiting room, so admit/deny have a real target.
  ok(host.ws, "meeting.update", {{"meeting_id", meeting_a}, {"settings", {{"waiting_room", true}}}});
  const auto pw = join(waiting_user.ws, meeting_a)["participant_id"].get<std::string>();

  // A guest of meeting A.
  ws_client guest(server.host(), server.port());
  ok(guest, "auth.guest", {{"meeting_id", meeting_a}, {"display_name", "Guest"}});
  join(guest, meeting_a); // waits in the waiting room like anyone else

  const std::vector<std::pair<std::string, nlohmann::json>> host_ops{
    {"meeting.lock", {{"locked", true}}},
    {"meeting.admit", {{"participant_id", pw}}},
    {"meeting.admit_all", nlohmann::json::object()},
    {"meeting.deny", {{"participant_id", pw}}},
    {"participant.kick", {{"participant_id", pa}, {"ban", true}}},
    {"participant.kick", {{"participant_id", host_pid}}},
    {"participant.mute", {{"participant_id", pa}, {"kind", "audio"}}},
    {"participant.mute", {{"participant_id", "all"}, {"kind", "video"}}},
    {"participant.set_role", {{"participant_id", pa}, {"role", "host"}}},
    {"hand.lower", {{"participant_id", host_pid}}},
    {"hand.lower", {{"participant_id", "all"}}},
    {"participant.kick", {{"participant_id", "all"}}},
    {"participant.request_unmute", {{"participant_id", pa}}},
    {"participant.allow_recording", {{"participant_id", "all"}, {"allowed", true}}},
    {"participant.rename", {{"participant_id", host_pid}, {"display_name", "Renamed"}}},
    {"meeting.pause_share", {{"paused", true}}},
    {"meeting.end", nlohmann::json::object()},
  };
  for (const auto& [op, args] : host_ops) {
    INFO(op << " " << args.dump());
    refused(member_a.ws, op, args, "forbidden");
    refused(member_b.ws, op, args, "forbidden");
    refused(outsider.ws, op, args, "forbidden");
    refused(waiting_user.ws, op, args, "forbidden");
    refused(guest, op, args, "forbidden");
    refused(anonymous, op, args, "unauthenticated");
  }
  for (const auto& [op, args] : std::vector<std::pair<std::string, nlohmann::json>>{
         {"meeting.get", {{"meeting_id", meeting_a}}},
         {"meeting.update", {{"meeting_id", meeting_a}, {"settings", {{"chat", "off"}}}}},
         {"meeting.delete", {{"meeting_id", meeting_a}}}}) {
    INFO(op);
    refused(member_a.ws, op, args, "forbidden");
    refused(other_host.ws, op, args, "forbidden");
    refused(guest, op, args, "forbidden");
    refused(anonymous, op, args, "unauthenticated");
  }
  https_client http(server.host(), server.port());
  const auto chat_path = "/api/v1/meetings/" + meeting_a + "/chat.txt";
  CHECK(has_error(http.get(chat_path, {bearer(member_a.token)}), "forbidden"));
  CHECK(has_error(http.get(chat_path, {bearer(other_host.token)}), "forbidden"));
  CHECK(has_error(http.get(chat_path), "unauthenticated"));
  for (auto op : {"meeting.create", "meeting.list", "meeting.join", "user.pmi.get", "user.pmi.set", "chat.send",
                  "chat.history", "self.mute", "hand.raise", "meeting.leave"})
    refused(anonymous, op, nlohmann::json::object(), "unauthenticated");

  // Nothing changed: a newcomer sees the same roster, unlocked, nobody muted, the hand still up.
  auto newcomer = sign_in(server, "new");
  auto view = join(newcomer.ws, meeting_a);
  CHECK(view["state"] == "waiting"); // the waiting room is on, and nobody was admitted
  ok(host.ws, "meeting.admit_all");
  auto admitted = wait_event(newcomer.ws, "meeting.admitted");
  CHECK(admitted["locked"] == false);
  CHECK(admitted["share_paused"] == false);
  bool saw_member = false;
  for (const auto& p : admitted["roster"]) {
    CHECK(p["audio_muted"] == false);
    CHECK(p["can_record"] == false);
    CHECK(p["display_name"] != "Renamed");
    if (p["participant_id"] == pa) {

      saw_member = true;
      CHECK(p["role"] == "participant");
      CHECK(p["hand_raised"] == true);
    }
  }
  CHECK(saw_member);
  CHECK(admitted["roster"].size() == 5); // host, member, the waiting user, the guest, newcomer
  auto settings = ok(host.ws, "meeting.get", {{"meeting_id", meeting_a}})["meeting"]["settings"];
  CHECK(settings["chat"] == "everyone");
}
