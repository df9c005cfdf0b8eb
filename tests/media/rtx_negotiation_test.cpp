// RTX payload types and FID pairs read from an offer Chromium made.
#include "media/rtx_negotiation.hpp"

#include <catch2/catch.hpp>

#include "media/sdp_session.hpp"
#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::read_text;

TEST_CASE("Chromium's video section pairs VP8 with its RTX type and its media SSRC with an RTX SSRC", "[rtx]") {
  const auto offer = sdp_session::parse(read_text("sdp/chromium156-offer-audio-video.sdp"));
  REQUIRE(offer.ok());
  const auto& video = offer->media[1];
  CHECK(rtx_payload_type_for(video, 96) == 97);
  CHECK(rtx_payload_type_for(video, 111) == 0);  // nothing repairs a type the section lacks
  CHECK(rtx_ssrcs_for(video, {3748652897u, 42u}) == std::vector<uint32_t>{3436576209u, 0});
  // Audio has no RTX.
  CHECK(rtx_payload_type_for(offer->media[0], 111) == 0);
}
