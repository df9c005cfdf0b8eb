// The SFU's per-packet routing: what a subscriber receives, under which SSRC and sequence
// numbers, when mutes drop media, and when publishers are asked for keyframes.
#include <catch2/catch.hpp>

#include <vector>

#include "media/byte_io.hpp"
#include "media/packet_router.hpp"
#include "media/rtcp_pli.hpp"
#include "media/rtp_packet.hpp"

using namespace parley::media;

namespace {

struct sent_rtp {
  transport_id to;
  std::vector<uint8_t> bytes;
};

class recording_output final : public packet_output {
 public:
  std::span<uint8_t> scratch() noexcept override { return buffer; }
  void send_rtp_in_place(transport_id to, size_t length) noexcept override {
    rtp.push_back({to, std::vector<uint8_t>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length))});
  }
  void send_rtcp(transport_id to, std::span<const uint8_t> packet) noexcept override {
    rtcp.push_back({to, std::vector<uint8_t>(packet.begin(), packet.end())});
  }
  std::vector<uint8_t> buffer = std::vector<uint8_t>(1500 + 64);
  std::vector<sent_rtp> rtp;
  std::vector<sent_rtp> rtcp;
};

constexpr transport_id publisher = 1;
constexpr transport_id subscriber = 2;
constexpr uint8_t mid_id = 4;
constexpr uint8_t level_id = 1;

// RTP with a one-byte extension block holding mid "0" and, for audio, an audio level.
std::vector<uint8_t> rtp(uint32_t ssrc, uint16_t seq, uint32_t ts, uint8_t pt, std::vector<uint8_t> payload,
                         int audio_level = -1) {
  std::vector<uint8_t> p{0x90, pt, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x01};
  write_u16(p, 2, seq);
  write_u32(p, 4, ts);
  write_u32(p, 8, ssrc);
  // One 4-byte word: mid (id 4, len 1 → "0"), then audio level or padding.
  p.push_back(static_cast<uint8_t>(mid_id << 4));
  p.push_back('0');
  if (audio_level >= 0) {
    p.push_back(static_cast<uint8_t>(level_id << 4));
    p.push_back(static_cast<uint8_t>(0x80 | audio_level));
  } else {
    p.push_back(0);
    p.push_back(0);
  }
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

const std::vector<uint8_t> vp8_key{0x10, 0x00, 0x9d, 0x01, 0x2a};
const std::vector<uint8_t> vp8_delta{0x10, 0x01, 0x9d};
const std::vector<uint8_t> vp8_middle{0x00, 0x00, 0x9d};

producer_spec video_producer(uint64_t id, uint32_t ssrc) {
  producer_spec p;
  p.id = id;
  p.transport = publisher;
  p.codec = video_codec::vp8;
  p.payload_type = 96;
  p.ssrcs = {ssrc};
  p.mid = "0";
  p.extensions.mid = mid_id;
  return p;
}

consumer_spec consumer_of(uint64_t id, uint64_t producer, uint32_t ssrc, uint8_t pt) {
  consumer_spec c;
  c.id = id;
  c.producer = producer;
  c.transport = subscriber;
  c.ssrc = ssrc;
  c.payload_type = pt;
  c.extensions.mid = 9;
  c.extensions.audio_level = 3;
  return c;
}

struct fixture {
  recording_output out;
  packet_router router{out};
  fixture() {
    router.add_transport(publisher);
    router.add_transport(subscriber);
  }
};

}  // namespace

TEST_CASE("a subscriber's video starts at a keyframe, under its own SSRC and payload type", "[packet_router]") {
  fixture f;
  f.router.set_producer(video_producer(10, 0xAAAA));
  f.router.set_consumer(consumer_of(20, 10, 0x5555, 100));
  // Subscribing asks the publisher for a keyframe.
  REQUIRE(f.out.rtcp.size() == 1);
  CHECK(f.out.rtcp[0].to == publisher);
  const auto pli = rtcp_pli::parse(f.out.rtcp[0].bytes);
  REQUIRE(pli);
  CHECK(pli->media_ssrc == 0xAAAA);

  f.router.on_rtp(publisher, rtp(0xAAAA, 100, 9000, 96, vp8_delta), 0);  // not decodable alone: dropped
  CHECK(f.out.rtp.empty());
  f.router.on_rtp(publisher, rtp(0xAAAA, 101, 12000, 96, vp8_key), 10);
  f.router.on_rtp(publisher, rtp(0xAAAA, 102, 12000, 96, vp8_middle), 11);
  REQUIRE(f.out.rtp.size() == 2);
  for (const auto& s : f.out.rtp) {
    CHECK(s.to == subscriber);
    const auto view = rtp_packet_view::parse(s.bytes);
    REQUIRE(view);
    CHECK(view->ssrc() == 0x5555);
    CHECK(view->payload_type() == 100);
    CHECK_FALSE(view->extension(mid_id));  // the publisher's mid never reaches the subscriber
  }
  const auto first = rtp_packet_view::parse(f.out.rtp[0].bytes);
  const auto second = rtp_packet_view::parse(f.out.rtp[1].bytes);
  CHECK(static_cast<uint16_t>(second->sequence() - first->sequence()) == 1);
  CHECK(second->timestamp() == first->timestamp());
}

TEST_CASE("a muted producer's packets are dropped until it is enabled again", "[packet_router]") {
  fixture f;
  producer_spec audio;
  audio.id = 11;
  audio.transport = publisher;
  audio.audio = true;
  audio.payload_type = 111;
  audio.clock_rate = 48000;
  audio.ssrcs = {0xBBBB};
  audio.mid = "0";
  audio.extensions.mid = mid_id;
  audio.extensions.audio_level = level_id;
  f.router.set_producer(audio);
  f.router.set_consumer(consumer_of(21, 11, 0x6666, 109));

  f.router.on_rtp(publisher, rtp(0xBBBB, 1, 960, 111, {0xfc}, 30), 0);
  REQUIRE(f.out.rtp.size() == 1);
  // The audio level is passed on under the subscriber's extension id.
  const auto forwarded = rtp_packet_view::parse(f.out.rtp[0].bytes);
  const auto level = forwarded->extension(3);
  REQUIRE(level);
  CHECK(((*level)[0] & 0x7F) == 30);
  CHECK(f.router.loudest_producer(100) == 11u);

  f.router.set_producer_enabled(11, false);
  for (uint16_t s = 2; s < 10; ++s) f.router.on_rtp(publisher, rtp(0xBBBB, s, 960u * s, 111, {0xfc}, 30), s * 20);
  CHECK(f.out.rtp.size() == 1);
  CHECK(f.router.counters(publisher)->packets_dropped_muted == 8);
  CHECK_FALSE(f.router.loudest_producer(1000));  // a muted microphone is never the active speaker

  f.router.set_producer_enabled(11, true);
  f.router.on_rtp(publisher, rtp(0xBBBB, 10, 9600, 111, {0xfc}, 30), 300);
  CHECK(f.out.rtp.size() == 2);
}

TEST_CASE("a subscriber's PLI reaches the publisher of that stream, rate-limited", "[packet_router]") {
  fixture f;
  f.router.set_producer(video_producer(10, 0xAAAA));
  f.router.set_consumer(consumer_of(20, 10, 0x5555, 96));
  f.out.rtcp.clear();
  std::vector<uint8_t> pli(rtcp_pli::size());
  REQUIRE(rtcp_pli{0x1234, 0x5555}.write(pli));
  f.router.on_rtcp(subscriber, pli, 1000);
  f.router.on_rtcp(subscriber, pli, 1010);  // within 300 ms: not repeated
  REQUIRE(f.out.rtcp.size() == 1);
  const auto forwarded = rtcp_pli::parse(f.out.rtcp[0].bytes);
  CHECK(f.out.rtcp[0].to == publisher);
  CHECK(forwarded->media_ssrc == 0xAAAA);
  f.router.on_rtcp(subscriber, pli, 1400);
  CHECK(f.out.rtcp.size() == 2);
  // A PLI naming an SSRC this subscriber does not receive is ignored.
  REQUIRE(rtcp_pli{0x1234, 0x7777}.write(pli));
  f.router.on_rtcp(subscriber, pli, 5000);
  CHECK(f.out.rtcp.size() == 2);
}

TEST_CASE("simulcast layers are learnt by rid and switched on a keyframe without a sequence gap", "[packet_router]") {
  fixture f;
  producer_spec p = video_producer(12, 0);
  p.ssrcs.clear();
  p.rids = {"q", "h"};
  p.extensions.rid = 5;
  f.router.set_producer(p);
  consumer_spec c = consumer_of(22, 12, 0x7777, 96);
  c.max_layer = 0;
  f.router.set_consumer(c);
  auto with_rid = [](uint32_t ssrc, uint16_t seq, uint32_t ts, const std::vector<uint8_t>& payload, char rid) {
    auto pkt = rtp(ssrc, seq, ts, 96, payload);
    // Replace the padding after mid with rid (id 5, one byte).
    pkt[14] = 0;
    pkt[15] = 1;
    pkt[18] = static_cast<uint8_t>(5 << 4);
    pkt[19] = static_cast<uint8_t>(rid);
    return pkt;
  };
  f.router.on_rtp(publisher, with_rid(0x100, 500, 1000, vp8_key, 'q'), 0);
  f.router.on_rtp(publisher, with_rid(0x200, 900, 1000, vp8_key, 'h'), 1);  // layer above the limit
  f.router.on_rtp(publisher, with_rid(0x100, 501, 4000, vp8_delta, 'q'), 33);
  REQUIRE(f.out.rtp.size() == 2);
  // Raise the limit: the switch waits for a keyframe on the higher layer.
  c.max_layer = 2;
  f.router.set_consumer(c);
  f.router.on_rtp(publisher, with_rid(0x200, 901, 4000, vp8_delta, 'h'), 34);  // not yet
  f.router.on_rtp(publisher, with_rid(0x100, 502, 7000, vp8_delta, 'q'), 66);
  REQUIRE(f.out.rtp.size() == 3);
  f.router.on_rtp(publisher, with_rid(0x200, 902, 7000, vp8_key, 'h'), 67);  // the switch point
  f.router.on_rtp(publisher, with_rid(0x100, 503, 10000, vp8_delta, 'q'), 99);  // old layer: no longer
  REQUIRE(f.out.rtp.size() == 4);
  const auto before = rtp_packet_view::parse(f.out.rtp[2].bytes);
  const auto after = rtp_packet_view::parse(f.out.rtp[3].bytes);
  CHECK(after->ssrc() == 0x7777);
  CHECK(static_cast<uint16_t>(after->sequence() - before->sequence()) == 1);
  CHECK(after->timestamp() != before->timestamp());
}
