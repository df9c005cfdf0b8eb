// Tests for answer generation: what Chromium needs to accept our answer.
#include "media/sdp_answer.hpp"

#include <catch2/catch.hpp>

#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::read_text;

namespace {

sdp_local_transport server_transport() {
  sdp_local_transport t;
  t.ice_ufrag = "srv1";
  t.ice_pwd = "0123456789abcdefghijklmn";
  t.fingerprint = {"sha-256", "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"};
  sdp_candidate c;
  c.foundation = "1";
  c.transport = "udp";
  c.priority = 2130706431;
  c.address = "127.0.0.1";
  c.port = 40000;
  c.type = "host";
  t.candidates.push_back(c);
  return t;
}

const std::vector<std::string> audio_extensions = {
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level", "urn:ietf:params:rtp-hdrext:sdes:mid",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"};
const std::vector<std::string> video_extensions = {
    "urn:ietf:params:rtp-hdrext:sdes:mid", "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"};

}  // namespace

TEST_CASE("answer to the simulcast offer: ICE-lite, passive, Opus and VP8+RTX, recv q, h and f", "[sdp]") {
  const auto offer = sdp_session::parse(read_text("sdp/chromium156-offer-audio-video-simulcast-qhf.sdp"));
  REQUIRE(offer.ok());
  std::vector<sdp_media_choice> choices(2);
  choices[0].payload_types = {111};
  choices[0].extension_uris = audio_extensions;
  choices[1].payload_types = {96};
  choices[1].extension_uris = video_extensions;
  choices[1].extra_fmtp = "x-google-start-bitrate=1000";

  const auto answer = make_sdp_answer(*offer, server_transport(), choices);
  REQUIRE(answer.ok());
  const std::string text = answer->to_string();
  CHECK(text.find("a=ice-lite\r\n") != std::string::npos);
  CHECK(text.find("a=group:BUNDLE 0 1\r\n") != std::string::npos);
  CHECK(text.find("m=audio 40000 UDP/TLS/RTP/SAVPF 111\r\n") != std::string::npos);
  CHECK(text.find("m=video 40000 UDP/TLS/RTP/SAVPF 96 97\r\n") != std::string::npos);
  CHECK(text.find("a=setup:passive\r\n") != std::string::npos);
  CHECK(text.find("a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n") != std::string::npos);
  CHECK(text.find("a=fmtp:96 x-google-start-bitrate=1000\r\n") != std::string::npos);
  CHECK(text.find("a=simulcast:recv q;h;f\r\n") != std::string::npos);

  // Round trip: generate, parse, and find the same structure.
  const auto parsed = sdp_session::parse(text);
  REQUIRE(parsed.ok());
  CHECK(*parsed == *answer);
  CHECK(parsed->ice_lite);
  const auto& video = parsed->media[1];
  CHECK(video.mid == "1");
  CHECK(video.setup == sdp_setup::passive);
  CHECK(video.direction == sdp_direction::recvonly);
  CHECK(video.ice_ufrag == "srv1");
  CHECK(video.fingerprint == server_transport().fingerprint);
  CHECK(video.codec(97)->parameter("apt") == "96");
  CHECK_FALSE(video.codec(102));
  CHECK(video.extmap_id("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id") == 10);
  CHECK_FALSE(video.extmap_id("urn:3gpp:video-orientation"));
  REQUIRE(video.rids.size() == 3);
  CHECK(video.rids[2] == sdp_rid{"f", "recv", ""});
  CHECK(video.end_of_candidates);
  CHECK(parsed->media[0].codec(111)->fmtp == "minptime=10;useinbandfec=1");
}

TEST_CASE("answer rejects an m-line with no chosen codec and refuses unknown choices", "[sdp]") {
  const auto offer = sdp_session::parse(read_text("sdp/chromium156-offer-audio-video.sdp"));
  REQUIRE(offer.ok());
  std::vector<sdp_media_choice> choices(2);
  choices[0].payload_types = {111};
  const auto answer = make_sdp_answer(*offer, server_transport(), choices);
  REQUIRE(answer.ok());
  CHECK(answer->media[1].port == 0);
  CHECK(answer->group("BUNDLE")->mids == std::vector<std::string>{"0"});

  choices[1].payload_types = {55};
  CHECK(make_sdp_answer(*offer, server_transport(), choices).error() == parse_error::bad_value);
  CHECK(make_sdp_answer(*offer, server_transport(), std::span<const sdp_media_choice>(choices).first(1)).error() ==
        parse_error::bad_value);
}
