// Tests for SDP parsing against captured Chromium 156 offers, and writing.
#include "media/sdp_session.hpp"

#include <catch2/catch.hpp>

#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::read_text;

namespace {

constexpr std::string_view uri_mid = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr std::string_view uri_rid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
constexpr std::string_view uri_repaired_rid = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
constexpr std::string_view uri_abs_send_time = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
constexpr std::string_view uri_twcc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr std::string_view uri_audio_level = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

}  // namespace

TEST_CASE("Chromium 156 audio+video offer", "[sdp]") {
  const auto offer = sdp_session::parse(read_text("sdp/chromium156-offer-audio-video.sdp"));
  REQUIRE(offer.ok());
  CHECK(offer->origin.session_id == "1096055745156817068");
  CHECK(offer->extmap_allow_mixed);
  CHECK_FALSE(offer->ice_lite);
  const auto* bundle = offer->group("BUNDLE");
  REQUIRE(bundle);
  CHECK(bundle->mids == std::vector<std::string>{"0", "1"});
  REQUIRE(offer->media.size() == 2);

  const auto& audio = offer->media[0];
  CHECK(audio.kind == "audio");
  CHECK(audio.mid == "0");
  CHECK(audio.port == 56506);
  CHECK(audio.protocol == "UDP/TLS/RTP/SAVPF");
  CHECK(audio.connection_address == "192.0.2.2");
  CHECK(audio.direction == sdp_direction::sendrecv);
  CHECK(audio.ice_ufrag == "jMAB");
  CHECK(audio.ice_pwd == "iDa4MORQ4heK6p2v+30z8omC");
  CHECK(audio.ice_options == std::vector<std::string>{"trickle"});
  REQUIRE(audio.fingerprint);
  CHECK(audio.fingerprint->algorithm == "sha-256");
  CHECK(audio.fingerprint->value ==
        "A2:69:B5:24:27:D0:83:5D:C3:51:16:44:B8:86:99:C3:BC:4F:76:18:94:41:BD:CA:35:E7:BD:12:30:78:71:86");
  CHECK(audio.setup == sdp_setup::actpass);
  CHECK(audio.rtcp_mux);
  CHECK(audio.rtcp_rsize);
  CHECK(audio.formats.size() == 8);
  const auto* opus = audio.find_codec("opus");
  REQUIRE(opus);
  CHECK(opus->payload_type == 111);
  CHECK(opus->clock_rate == 48000);
  CHECK(opus->channels == 2);
  CHECK(opus->fmtp == "minptime=10;useinbandfec=1");
  CHECK(opus->parameter("useinbandfec") == "1");
  CHECK(opus->feedback == std::vector<std::string>{"transport-cc"});
  CHECK(audio.extmap_id(uri_audio_level) == 1);
  CHECK(audio.extmap_id(uri_abs_send_time) == 2);
  CHECK(audio.extmap_id(uri_twcc) == 3);
  CHECK(audio.extmap_id(uri_mid) == 4);
  CHECK(audio.ssrc_attribute(44350780, "cname") == "SzpdmhrCSqkKT4vq");
  CHECK(audio.msid == "ca05c026-965a-4115-8303-c52e7fa2a90b 3a0e66fc-f779-4f68-9791-b611aa76ba92");
  REQUIRE(audio.candidates.size() == 4);
  CHECK(audio.candidates[0].foundation == "645359877");
  CHECK(audio.candidates[0].priority == 2122194687);
  CHECK(audio.candidates[0].address == "192.0.2.2");
  CHECK(audio.candidates[0].port == 56506);
  CHECK(audio.candidates[0].type == "host");
  CHECK(audio.candidates[1].address == "fd00::2");
  CHECK(audio.candidates[2].transport == "tcp");
  CHECK(audio.candidates[2].tcp_type == "active");

  const auto& video = offer->media[1];
  CHECK(video.kind == "video");
  CHECK(video.mid == "1");
  const auto* vp8 = video.find_codec("VP8");
  REQUIRE(vp8);
  CHECK(vp8->payload_type == 96);
  CHECK(vp8->clock_rate == 90000);
  CHECK(vp8->feedback == std::vector<std::string>{"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"});
  const auto* rtx = video.codec(97);
  REQUIRE(rtx);
  CHECK(rtx->name == "rtx");
  CHECK(rtx->parameter("apt") == "96");
  CHECK(video.codec(102)->fmtp == "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
  CHECK(video.codec(45)->name == "AV1");
  CHECK(video.codecs.size() == 23);
  CHECK(video.extmap_id(uri_mid) == 4);
  CHECK(video.extmap_id(uri_rid) == 10);
  CHECK(video.extmap_id(uri_repaired_rid) == 11);
  CHECK(video.extmap_id(uri_twcc) == 3);
  const auto* fid = video.ssrc_group("FID");
  REQUIRE(fid);
  CHECK(fid->ssrcs == std::vector<uint32_t>{3748652897u, 3436576209u});
  CHECK(video.ssrc_attribute(3436576209u, "cname") == "SzpdmhrCSqkKT4vq");
  CHECK(video.rids.empty());
  CHECK_FALSE(video.simulcast);
}

TEST_CASE("Chromium 156 simulcast offer with rids q, h, f", "[sdp]") {
  const auto offer = sdp_session::parse(read_text("sdp/chromium156-offer-audio-video-simulcast-qhf.sdp"));
  REQUIRE(offer.ok());
  REQUIRE(offer->media.size() == 2);
  const auto& video = offer->media[1];
  CHECK(video.mid == "1");
  CHECK(video.ice_ufrag == "6wwo");
  CHECK(video.find_codec("VP8")->payload_type == 96);
  CHECK(offer->media[0].find_codec("opus")->payload_type == 111);
  REQUIRE(video.rids.size() == 3);
  CHECK(video.rids[0] == sdp_rid{"q", "send", ""});
  CHECK(video.rids[1].id == "h");
  CHECK(video.rids[2].id == "f");
  REQUIRE(video.simulcast);
  CHECK(video.simulcast->send == std::vector<std::vector<std::string>>{{"q"}, {"h"}, {"f"}});
  CHECK(video.simulcast->recv.empty());
  // Simulcast offers announce no SSRCs for video: streams are found by rid.
  CHECK(video.ssrcs.empty());
  CHECK(video.extmap_id(uri_rid) == 10);
  CHECK(video.extmap_id(uri_repaired_rid) == 11);
  CHECK(video.extmap_id("https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension") == 12);
  CHECK(video.extmap_id("http://www.webrtc.org/experiments/rtp-hdrext/video-layers-allocation00") == 9);
  CHECK(offer->effective_ice_pwd(video) == "cTsXJJtgy3TGv9S19raUC8Jb");
}

TEST_CASE("a parsed offer written back parses to the same description", "[sdp]") {
  for (const char* file : {"sdp/chromium156-offer-audio-video.sdp", "sdp/chromium156-offer-audio-video-simulcast-qhf.sdp"}) {
    const auto offer = sdp_session::parse(read_text(file));
    REQUIRE(offer.ok());
    const auto text = offer->to_string();
    const auto again = sdp_session::parse(text);
    REQUIRE(again.ok());
    // Candidate extensions (generation, network-id) are dropped by design; all else survives.
    CHECK(*again == *offer);
  }
}

TEST_CASE("malformed SDP is rejected, not crashed on", "[sdp]") {
  CHECK(sdp_session::parse("").error() == parse_error::truncated);
  CHECK(sdp_session::parse("v=1\r\n").error() == parse_error::bad_syntax);
  CHECK(sdp_session::parse("v=0\r\nthis is not sdp\r\n").error() == parse_error::bad_syntax);
  CHECK(sdp_session::parse("v=0\r\nm=audio\r\n").error() == parse_error::bad_syntax);
  CHECK(sdp_session::parse("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:300 opus/48000/2\r\n").error() ==
        parse_error::bad_syntax);
  CHECK(sdp_session::parse("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=extmap:0 urn:x\r\n").error() ==
        parse_error::bad_value);
  CHECK(sdp_session::parse("v=0\r\nm=audio 99999 UDP/TLS/RTP/SAVPF 111\r\n").error() == parse_error::bad_syntax);
  CHECK(sdp_session::parse("v=0\r\nm=audio 9 RTP 1\r\na=candidate:1 1 udp x 1.2.3.4 5 typ host\r\n").error() ==
        parse_error::bad_syntax);
  CHECK(sdp_session::parse(std::string(sdp_max_size + 1, 'a')).error() == parse_error::too_large);
}
