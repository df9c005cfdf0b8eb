// Loss repair through a real parleyd: the load client publishes with two packets held back
// (an induced gap) and a second client subscribes. The SFU must NACK the publisher for the
// hole, forward the repair so the subscriber gets every packet, and answer the subscriber's
// own NACK from its retransmission cache.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <vector>

#include "benchmarks/media/client_sdp.hpp"
#include "benchmarks/media/synthetic_vp8_stream.hpp"
#include "media/dtls_context.hpp"
#include "media/rtcp_header.hpp"
#include "media/rtcp_nack.hpp"
#include "tests/media_load/live_sfu.hpp"

using namespace parley;
using namespace parley::bench;
using namespace std::chrono_literals;

using parley::bench::test::pump;

TEST_CASE("parleyd NACKs a publisher's gap, forwards the repair, and answers a subscriber's NACK from its cache",
          "[nack]") {
  REQUIRE(media::ensure_srtp_initialized());
  parley::bench::test::live_sfu sfu;
  if (!sfu.start())
    FAIL("parleyd: " << sfu.error);
  std::string error;
  publish_offer_settings offer;
  offer.ssrc = 0x0BADCAFE;
  parley::bench::test::connected_pair pair;
  if (!parley::bench::test::connect_pair(sfu, offer, pair, error))
    FAIL(error);
  auto& publisher = pair.publisher;
  auto& subscriber = pair.subscriber;

  // 60 packets at the synthetic stream's pace; the 31st and 32nd are held back, as if lost
  // on the way. Keyframes come often so the subscription starts whenever it is ready.
  synthetic_vp8_settings settings;
  settings.ssrc = offer.ssrc;
  settings.mid_extension_id = offer.mid_extension_id;
  settings.first_sequence = 1000;
  settings.keyframe_interval_frames = 2;
  synthetic_vp8_stream stream(settings);
  std::array<uint8_t, 1500 + media::srtp_session::max_overhead> buffer{};
  std::vector<std::vector<uint8_t>> history;  // what a real publisher keeps for repairs
  const auto serve_for = [&](std::chrono::milliseconds span) {
    const auto until = std::chrono::steady_clock::now() + span;
    pump(*publisher, *subscriber, [&] { return std::chrono::steady_clock::now() >= until; }, 5s);
  };
  for (int i = 0; i < 60; ++i) {
    const size_t length = stream.write_next(buffer);
    history.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    if (i != 30 && i != 31)
      REQUIRE(publisher->send_rtp(buffer, length));
    serve_for(5ms);
  }
  // The SFU saw the hole and asked the publisher for those two (and nothing it already had).
  INFO("publisher RTCP received: " << publisher->counters().rtcp_received << ", subscriber RTP received: "
                                   << subscriber->stats().total_received() << ", lost: " << subscriber->stats().lost());
  REQUIRE(pump(*publisher, *subscriber, [&] { return publisher->counters().nacks_received >= 1; }, 20s));
  serve_for(100ms);
  const auto nacked = publisher->nacked_sequences();
  CHECK(std::find(nacked.begin(), nacked.end(), uint16_t{1030}) != nacked.end());
  CHECK(std::find(nacked.begin(), nacked.end(), uint16_t{1031}) != nacked.end());
  CHECK(std::find(nacked.begin(), nacked.end(), uint16_t{1029}) == nacked.end());
  CHECK(std::find(nacked.begin(), nacked.end(), uint16_t{1032}) == nacked.end());

  // The publisher answers every NACK from its history (loopback can drop a packet of its own
  // on a busy machine); the SFU forwards the repairs and the subscriber ends with no hole.
  CHECK(subscriber->stats().lost() >= 2);
  for (const uint16_t seq : nacked) {
    const auto index = static_cast<uint16_t>(seq - 1000);
    if (index >= history.size())
      continue;
    std::copy(history[index].begin(), history[index].end(), buffer.begin());
    REQUIRE(publisher->send_rtp(buffer, history[index].size()));
  }
  REQUIRE(pump(*publisher, *subscriber, [&] { return subscriber->stats().lost() == 0; }, 20s));
  const auto before = subscriber->stats().total_received();

  // Now a packet is lost on the way to the subscriber: it NACKs it, and the SFU resends it
  // from its cache (the publisher is not asked) under the subscriber's own SSRC and numbering.
  subscriber->drop_incoming_rtp(1);
  for (int i = 0; i < 2; ++i) {
    const size_t length = stream.write_next(buffer);
    REQUIRE(publisher->send_rtp(buffer, length));
    serve_for(5ms);
  }
  REQUIRE(pump(*publisher, *subscriber, [&] { return subscriber->stats().total_received() == before + 1; }, 20s));
  CHECK(subscriber->stats().lost() == 1);
  REQUIRE(subscriber->last_received_ssrc() != 0);
  std::array<uint8_t, 16> nack{};
  const std::array<uint16_t, 1> lost{static_cast<uint16_t>(subscriber->last_received_sequence() - 1)};
  REQUIRE(media::rtcp_nack::write_sequences(0x5EB5C41B, subscriber->last_received_ssrc(), lost, nack));
  const auto nacks_before = publisher->counters().nacks_received;
  REQUIRE(subscriber->send_rtcp(nack));
  CHECK(pump(*publisher, *subscriber, [&] { return subscriber->stats().lost() == 0; }, 20s));
  CHECK(subscriber->last_received_sequence() == lost[0]);
  CHECK(subscriber->counters().srtp_errors == 0);
  // The SFU had it: the publisher was not asked again.
  CHECK(publisher->counters().nacks_received == nacks_before);
}
