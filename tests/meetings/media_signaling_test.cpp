// Media signaling over the WebSocket against a real parleyd: who may use the media ops, and
// what a Chromium offer gets back (an ICE-lite answer) and tells the other participants.
#include <fstream>
#include <sstream>

#include "tests/meetings/meeting_harness.hpp"

using namespace parley::test_support;

namespace {

std::string chromium_offer() {
  std::ifstream in(std::string{PARLEY_TEST_DATA_DIR} + "/sdp/chromium156-offer-audio-video.sdp");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("media ops need a joined participant, and a published track is answered and announced",
          "[meetings][media]") {
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "mh");
  auto member = sign_in(server, "mm");
  auto outsider = sign_in(server, "mo");
  ws_client anonymous(server.host(), server.port());
  const auto offer = chromium_offer();
  REQUIRE(offer.find("m=audio") != std::string::npos);

  const auto meeting = create_meeting(host.ws, {{"join_before_host", true}});
  refused(outsider.ws, "media.producers", nlohmann::json::object(), "forbidden");
  refused(anonymous, "media.producers", nlohmann::json::object(), "unauthenticated");
  refused(outsider.ws, "media.publish", {{"sdp", offer}, {"mid", "0"}, {"source", "mic"}}, "forbidden");

  join(host.ws, meeting);
  const auto member_pid = join(member.ws, meeting)["participant_id"].get<std::string>();
  CHECK(ok(member.ws, "media.producers")["producers"].empty());
  refused(member.ws, "media.stats", nlohmann::json::object(), "not_found");
  refused(member.ws, "media.publish", {{"sdp", "v=0 not sdp"}, {"mid", "0"}, {"source", "mic"}}, "bad_request");
  refused(member.ws, "media.publish", {{"sdp", offer}, {"mid", "0"}, {"source", "camera"}}, "bad_request");
  refused(member.ws, "media.publish", {{"sdp", offer}, {"mid", "0"}, {"source", "radio"}}, "bad_request");
  refused(member.ws, "media.unpublish", {{"producer_id", "00000000000000aa"}}, "not_found");
  refused(member.ws, "media.subscribe", {{"sdp", offer}, {"mid", "1"}, {"producer_id", "00000000000000aa"}},
          "not_found");

  auto published = ok(member.ws, "media.publish", {{"sdp", offer}, {"mid", "0"}, {"source", "mic"}});
  const auto answer = published["sdp"].get<std::string>();
  CHECK(answer.find("a=ice-lite") != std::string::npos);
  CHECK(answer.find("a=setup:passive") != std::string::npos);
  CHECK(answer.find("a=fingerprint:sha-256 ") != std::string::npos);
  CHECK(answer.find("a=recvonly") != std::string::npos);
  CHECK(answer.find("a=group:BUNDLE") != std::string::npos);
  CHECK(answer.find("typ host") != std::string::npos);
  CHECK(answer.find("opus") != std::string::npos);
  const auto producer_id = published["producer_id"].get<std::string>();

  auto added = wait_event(host.ws, "media.producer.added");
  CHECK(added["producer_id"] == producer_id);
  CHECK(added["participant_id"] == member_pid);
  CHECK(added["source"] == "mic");
  CHECK(added["kind"] == "audio");
  auto listed = ok(host.ws, "media.producers")["producers"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["producer_id"] == producer_id);
  // Only its owner may withdraw it.
  refused(host.ws, "media.unpublish", {{"producer_id", producer_id}}, "not_found");
  auto stats = ok(member.ws, "media.stats");
  CHECK(stats["state"] == "new");
  CHECK(stats["producers"] == 1);
  // Quality figures are there from the start: nothing measured yet, the round trip unknown.
  CHECK(stats["rtt_ms"] == -1);
  CHECK(stats["loss_in"] == 0.0);
  CHECK(stats["packets_retransmitted"] == 0);
  CHECK(stats["packets_dropped_paused"] == 0);

  // Leaving takes the participant's media away for everyone.
  ok(member.ws, "meeting.leave");
  auto removed = wait_event(host.ws, "media.producer.removed");
  CHECK(removed["producer_id"] == producer_id);
  CHECK(ok(host.ws, "media.producers")["producers"].empty());
}

TEST_CASE("a section answered before it is published keeps the header extensions it will use",
          "[meetings][media]") {
  // Peers that offer one section per track may offer later only the extensions an earlier
  // answer accepted (werift does): the audio section, still unpublished while the camera is,
  // must already be answered with the audio level the server uses for the active speaker.
  parleyd_process server(meeting_server_options());
  auto host = sign_in(server, "eh");
  const auto meeting = create_meeting(host.ws, {{"join_before_host", true}});
  join(host.ws, meeting);
  ok(host.ws, "self.video", {{"off", false}});
  const auto offer = chromium_offer();

  const auto section = [](const std::string& sdp, const std::string& kind) {
    const auto start = sdp.find("m=" + kind);
    REQUIRE(start != std::string::npos);
    const auto end = sdp.find("\r\nm=", start);
    return sdp.substr(start, end == std::string::npos ? std::string::npos : end - start);
  };
  const auto camera = ok(host.ws, "media.publish", {{"sdp", offer}, {"mid", "1"}, {"source", "camera"}});
  const auto unpublished_audio = section(camera["sdp"].get<std::string>(), "audio");
  INFO(unpublished_audio);
  CHECK(unpublished_audio.find("a=inactive") != std::string::npos);
  CHECK(unpublished_audio.find("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level") != std::string::npos);
  CHECK(unpublished_audio.find("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid") != std::string::npos);

  const auto mic = ok(host.ws, "media.publish", {{"sdp", offer}, {"mid", "0"}, {"source", "mic"}});
  const auto published_audio = section(mic["sdp"].get<std::string>(), "audio");
  INFO(published_audio);
  CHECK(published_audio.find("a=recvonly") != std::string::npos);
  CHECK(published_audio.find("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level") != std::string::npos);
}
