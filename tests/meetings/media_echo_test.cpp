// The echo test (pre-join audio/video test) against a real parleyd: a connection's private room
// where it subscribes to its own tracks, which nobody else can see, and which ends with it.
#include <fstream>
#include <sstream>

#include "tests/meetings/meeting_harness.hpp"

using namespace parley::test_support;

namespace {

std::string read_fixture() {
  std::ifstream in(std::string{PARLEY_TEST_DATA_DIR} + "/sdp/chromium156-offer-audio-video.sdp");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Chromium's captured offer turned into what the web client offers in an echo test: audio and
/// video sent (mids 0, 1) and audio and video received (mids 2, 3), all in one bundle.
std::string echo_offer() {
  const auto fixture = read_fixture();
  std::vector<std::string> lines;
  std::stringstream in(fixture);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    lines.push_back(line);
  }
  std::string session;
  std::vector<std::vector<std::string>> sections;
  for (const auto& line : lines) {
    if (line.starts_with("m="))
      sections.emplace_back();
    if (sections.empty())
      session += (line.starts_with("a=group:BUNDLE") ? std::string{"a=group:BUNDLE 0 1 2 3"} : line) + "\r\n";
    else
      sections.back().push_back(line);
  }
  REQUIRE(sections.size() == 2);
  auto emit = [](const std::vector<std::string>& section, const std::string& mid, bool send) {
    std::string out;
    for (const auto& line : section) {
      if (line.starts_with("a=mid:"))
        out += "a=mid:" + mid + "\r\n";
      else if (line == "a=sendrecv")
        out += send ? "a=sendonly\r\n" : "a=recvonly\r\n";
      else if (!send && (line.starts_with("a=ssrc") || line.starts_with("a=msid:")))
        continue;
      else
        out += line + "\r\n";
    }
    return out;
  };
  return session + emit(sections[0], "0", true) + emit(sections[1], "1", true) + emit(sections[0], "2", false)
         + emit(sections[1], "3", false);
}

/// The answer's section for `mid` (from its m= line to the next).
std::string answer_section(const std::string& sdp, const std::string& mid) {
  const auto at = sdp.find("a=mid:" + mid + "\r\n");
  REQUIRE(at != std::string::npos);
  const auto begin = sdp.rfind("m=", at);
  const auto end = sdp.find("m=", at);
  return sdp.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

} // namespace

TEST_CASE("an echo test returns a user's own tracks to them alone, and ends when they stop or leave",
          "[meetings][media][echo]") {
  parleyd_process server(meeting_server_options());
  auto alice = sign_in(server, "ea");
  auto bob = sign_in(server, "eb");
  ws_client anonymous(server.host(), server.port());
  const auto offer = echo_offer();

  refused(anonymous, "media.echo_test.start", nlohmann::json::object(), "unauthenticated");
  refused(alice.ws, "media.echo_test.stop", nlohmann::json::object(), "not_found");
  refused(alice.ws, "media.producers", nlohmann::json::object(), "forbidden");

  const auto me = ok(alice.ws, "media.echo_test.start")["participant_id"].get<std::string>();
  CHECK(me.size() == 16);
  refused(alice.ws, "media.echo_test.start", nlohmann::json::object(), "conflict");
  CHECK(ok(alice.ws, "media.producers")["producers"].empty());

  // Alice publishes her microphone and camera; she alone hears of them.
  const auto mic = ok(alice.ws, "media.publish", {{"sdp", offer}, {"mid", "0"}, {"source", "mic"}});
  const auto mic_id = mic["producer_id"].get<std::string>();
  auto added = wait_event(alice.ws, "media.producer.added");
  CHECK(added["producer_id"] == mic_id);
  CHECK(added["participant_id"] == me);
  const auto camera = ok(alice.ws, "media.publish", {{"sdp", offer}, {"mid", "1"}, {"source", "camera"}});
  const auto camera_id = camera["producer_id"].get<std::string>();
  CHECK(ok(alice.ws, "media.producers")["producers"].size() == 2);

  // ... and subscribes to them: the server sends her own audio and video back on mids 2 and 3.
  const auto heard = ok(alice.ws, "media.subscribe", {{"sdp", offer}, {"mid", "2"}, {"producer_id", mic_id}});
  const auto seen = ok(alice.ws, "media.subscribe", {{"sdp", offer}, {"mid", "3"}, {"producer_id", camera_id}});
  const auto answer = seen["sdp"].get<std::string>();
  CHECK(answer.find("a=ice-lite") != std::string::npos);
  CHECK(answer.find("a=setup:passive") != std::string::npos);
  CHECK(answer_section(answer, "0").find("a=recvonly") != std::string::npos);
  CHECK(answer_section(answer, "1").find("a=recvonly") != std::string::npos);
  const auto returned_audio = answer_section(answer, "2");
  const auto returned_video = answer_section(answer, "3");
  CHECK(returned_audio.find("a=sendonly") != std::string::npos);
  CHECK(returned_audio.find("a=msid:" + me + " " + mic_id) != std::string::npos);
  CHECK(returned_video.find("a=sendonly") != std::string::npos);
  CHECK(returned_video.find("a=msid:" + me + " " + camera_id) != std::string::npos);
  CHECK(returned_video.find("VP8/90000") != std::string::npos);
  auto stats = ok(alice.ws, "media.stats");
  CHECK(stats["producers"] == 2);
  CHECK(stats["consumers"] == 2);

  // Bob, in a meeting of his own or in an echo test of his own, can neither see nor take them.
  const auto meeting = create_meeting(bob.ws, {{"join_before_host", true}});
  join(bob.ws, meeting);
  CHECK(ok(bob.ws, "media.producers")["producers"].empty());
  refused(bob.ws, "media.subscribe", {{"sdp", offer}, {"mid", "3"}, {"producer_id", camera_id}}, "not_found");
  refused(bob.ws, "media.echo_test.start", nlohmann::json::object(), "conflict"); // leave the meeting first
  ok(bob.ws, "meeting.leave");
  ok(bob.ws, "media.echo_test.start");
  CHECK(ok(bob.ws, "media.producers")["producers"].empty());
  refused(bob.ws, "media.subscribe", {{"sdp", offer}, {"mid", "3"}, {"producer_id", camera_id}}, "not_found");
  refused(bob.ws, "media.unpublish", {{"producer_id", mic_id}}, "not_found");
  refused(bob.ws, "media.consumer.update", {{"consumer_id", seen["consumer_id"]}, {"paused", true}}, "not_found");
  ok(bob.ws, "media.echo_test.stop");

  // Alice's own controls work on her echo: pause and a size limit on the returned video.
  ok(alice.ws, "media.consumer.update", {{"consumer_id", seen["consumer_id"]}, {"max_height", 180}});
  ok(alice.ws, "media.unsubscribe", {{"consumer_id", heard["consumer_id"]}});

  // Stopping ends the echo test: the media ops go back to needing a meeting, and a new echo
  // test starts empty.
  ok(alice.ws, "media.echo_test.stop");
  refused(alice.ws, "media.echo_test.stop", nlohmann::json::object(), "not_found");
  refused(alice.ws, "media.producers", nlohmann::json::object(), "forbidden");
  refused(alice.ws, "media.stats", nlohmann::json::object(), "forbidden");
  const auto again = ok(alice.ws, "media.echo_test.start")["participant_id"].get<std::string>();
  CHECK(again != me);
  CHECK(ok(alice.ws, "media.producers")["producers"].empty());
  refused(alice.ws, "media.stats", nlohmann::json::object(), "not_found"); // no transport yet
  refused(alice.ws, "media.subscribe", {{"sdp", offer}, {"mid", "3"}, {"producer_id", camera_id}}, "not_found");
  ok(alice.ws, "media.echo_test.stop");
}

TEST_CASE("a guest may run an echo test, and a closed connection's echo test is gone", "[meetings][media][echo]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "eh");
  const auto meeting = create_meeting(host.ws, {{"guests_allowed", true}});
  const auto offer = echo_offer();

  std::string camera_id;
  {
    ws_client guest(server.host(), server.port());
    ok(guest, "auth.guest", {{"meeting_id", meeting}, {"display_name", "Guest"}});
    ok(guest, "media.echo_test.start");
    camera_id = ok(guest, "media.publish", {{"sdp", offer}, {"mid", "1"}, {"source", "camera"}})["producer_id"];
    ok(guest, "media.subscribe", {{"sdp", offer}, {"mid", "3"}, {"producer_id", camera_id}});
  } // the guest's connection closes

  // The server keeps serving: echo tests come and go per connection, with nothing left behind
  // that another connection could reach.
  for (int i = 0; i < 3; ++i) {
    ws_client again(server.host(), server.port());
    REQUIRE(is_ws_ok(again.hello(host.token)));
    ok(again, "media.echo_test.start");
    CHECK(ok(again, "media.producers")["producers"].empty());
    refused(again, "media.subscribe", {{"sdp", offer}, {"mid", "3"}, {"producer_id", camera_id}}, "not_found");
  }
  CHECK(is_ws_ok(host.ws.call("sys.ping", nlohmann::json::object())));

  // An echo test running with media set up does not hold the server up: SIGTERM still ends it cleanly.
  ok(host.ws, "media.echo_test.start");
  ok(host.ws, "media.publish", {{"sdp", offer}, {"mid", "1"}, {"source", "camera"}});
  const auto code = server.stop();
  REQUIRE(code.has_value());
  CHECK(*code == 0);
}
