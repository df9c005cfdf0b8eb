// The load tool's synthetic VP8 stream: packet sizes, pacing fields and keyframe marks as a receiver parses them.
#include "benchmarks/media/synthetic_vp8_stream.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <string_view>
#include <vector>

#include "media/rtp_packet.hpp"

using namespace parley;
using namespace parley::bench;

TEST_CASE("the synthetic VP8 stream starts a keyframe every 2 s and marks frame ends", "[vp8]") {
  synthetic_vp8_settings settings;
  settings.ssrc = 0x11223344;
  settings.payload_type = 98;
  settings.mid_extension_id = 3;
  settings.first_sequence = 65530;  // wraps during the test
  synthetic_vp8_stream stream(settings);
  CHECK(stream.packets_per_second() == 200);

  std::array<uint8_t, 1500> buffer{};
  std::vector<size_t> keyframe_packets;
  uint16_t expected_sequence = 65530;
  uint32_t previous_timestamp = 0;
  // 5 s of packets: keyframes start at packets 0, 400 and 800 (frames 0, 50, 100).
  for (size_t i = 0; i < 1000; ++i) {
    const size_t size = stream.write_next(buffer);
    REQUIRE(size == 1200);
    auto packet = media::rtp_packet_view::parse(std::span<const uint8_t>(buffer).first(size));
    REQUIRE(packet);
    CHECK(packet->ssrc() == 0x11223344);
    CHECK(packet->payload_type() == 98);
    CHECK(packet->sequence() == expected_sequence);
    ++expected_sequence;
    const auto mid = packet->extension(3);
    REQUIRE(mid);
    CHECK(std::string_view(reinterpret_cast<const char*>(mid->data()), mid->size()) == "0");
    // The marker closes each 8-packet frame; the timestamp moves 90000/25 per frame.
    CHECK(packet->marker() == (i % 8 == 7));
    if (i % 8 == 0 && i > 0)
      CHECK(packet->timestamp() - previous_timestamp == 3600);
    else if (i > 0)
      CHECK(packet->timestamp() == previous_timestamp);
    previous_timestamp = packet->timestamp();
    if (vp8_payload_starts_keyframe(packet->payload()))
      keyframe_packets.push_back(i);
  }
  CHECK(keyframe_packets == std::vector<size_t>{0, 400, 800});
  CHECK(stream.keyframes_started() == 3);
  CHECK(stream.packets_written() == 1000);
}

TEST_CASE("a VP8 payload descriptor is read the way RFC 7741 lays it out", "[vp8]") {
  // Minimal descriptor (no X), S=1, PID=0, then a keyframe header with the start code.
  const std::array<uint8_t, 11> keyframe{0x10, 0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x00, 0x05, 0xD0, 0x02};
  CHECK(vp8_payload_starts_keyframe(keyframe));
  // Same frame with the P bit set: an interframe.
  auto interframe = keyframe;
  interframe[1] = 0x01;
  CHECK_FALSE(vp8_payload_starts_keyframe(interframe));
  // Not the start of a partition (S=0).
  auto middle = keyframe;
  middle[0] = 0x00;
  CHECK_FALSE(vp8_payload_starts_keyframe(middle));
  // Truncated payloads are not keyframes and are not read past their end.
  CHECK_FALSE(vp8_payload_starts_keyframe(std::span<const uint8_t>(keyframe).first(5)));
  CHECK_FALSE(vp8_payload_starts_keyframe({}));
}
