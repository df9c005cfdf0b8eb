// meeting.pause_share through a real parleyd: while the host pauses sharing, a screen share's
// packets stop at the server (the subscriber gets none of them); on resume they flow again.
#include <catch2/catch.hpp>

#include <array>
#include <chrono>

#include "benchmarks/media/client_sdp.hpp"
#include "benchmarks/media/synthetic_vp8_stream.hpp"
#include "media/dtls_context.hpp"
#include "tests/media_load/live_sfu.hpp"

using namespace parley;
using namespace parley::bench;
using namespace std::chrono_literals;
using parley::bench::test::pump;

TEST_CASE("a paused screen share reaches no subscriber until the host resumes sharing", "[share]") {
  REQUIRE(media::ensure_srtp_initialized());
  parley::bench::test::live_sfu sfu;
  if (!sfu.start())
    FAIL("parleyd: " << sfu.error);
  auto& signaling = *sfu.signaling;
  std::string error;
  publish_offer_settings offer;
  offer.ssrc = 0x5C2EE7;
  offer.source = "screen";
  parley::bench::test::connected_pair pair;
  if (!parley::bench::test::connect_pair(sfu, offer, pair, error)) // participants 1 and 2
    FAIL(error);
  auto& sharer = pair.publisher;
  auto& viewer = pair.subscriber;

  synthetic_vp8_settings settings;
  settings.ssrc = offer.ssrc;
  settings.mid_extension_id = offer.mid_extension_id;
  settings.keyframe_interval_frames = 2;
  synthetic_vp8_stream stream(settings);
  std::array<uint8_t, 1500 + media::srtp_session::max_overhead> buffer{};
  const auto send = [&](int count) {
    for (int i = 0; i < count; ++i) {
      REQUIRE(sharer->send_rtp(buffer, stream.write_next(buffer)));
      const auto until = std::chrono::steady_clock::now() + 5ms;
      pump(*sharer, *viewer, [&] { return std::chrono::steady_clock::now() >= until; }, 5s);
    }
  };
  send(40);
  REQUIRE(pump(*sharer, *viewer, [&] { return viewer->stats().total_received() >= 20; }, 20s));

  auto paused = signaling.call_as(0, "meeting.pause_share", {{"paused", true}});
  REQUIRE(paused.value("ok", false));
  // The pause reaches the worker a moment after the reply: send until the server says it
  // dropped a packet, then everything sent is dropped.
  const auto dropped = [&] {
    auto stats = signaling.call_as(1, "media.stats", nlohmann::json::object());
    return stats["result"].value("packets_dropped_paused", uint64_t{0});
  };
  for (int tries = 0; dropped() == 0; ++tries) {
    REQUIRE(tries < 200);
    send(8);
  }
  pump(*sharer, *viewer, [] { return false; }, 0s);  // drain what was forwarded before the pause
  const auto before = viewer->stats().total_received();
  send(80);
  CHECK(viewer->stats().total_received() == before);
  CHECK(dropped() >= 80);

  auto resumed = signaling.call_as(0, "meeting.pause_share", {{"paused", false}});
  REQUIRE(resumed.value("ok", false));
  for (int tries = 0; viewer->stats().total_received() == before; ++tries) {
    REQUIRE(tries < 200);
    send(8);
  }
  CHECK(viewer->counters().srtp_errors == 0);
}
