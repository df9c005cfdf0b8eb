// The SFU's per-packet routing: what a subscriber receives, under which SSRC and sequence
// numbers, when mutes drop media, and when publishers are asked for keyframes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "media/byte_io.hpp"
#include "media/packet_router.hpp"
#include "media/ntp_time.hpp"
#include "media/rtcp_compound.hpp"
#include "media/rtcp_header.hpp"
#include "media/rtcp_nack.hpp"
#include "media/rtcp_receiver_report.hpp"
#include "media/rtcp_remb.hpp"
#include "media/rtcp_sender_report.hpp"
#include "media/rtcp_transport_feedback.hpp"
#include "media/rtcp_pli.hpp"
#include "media/rtp_packet.hpp"
#include "media/transport_feedback_builder.hpp"

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

namespace {

std::vector<uint8_t> nack_packet(uint32_t media_ssrc, std::vector<uint16_t> sequences) {
  std::vector<uint8_t> out(12 + 4 * sequences.size());
  const auto size = rtcp_nack::write_sequences(0x1234, media_ssrc, sequences, out);
  REQUIRE(size);
  out.resize(*size);
  return out;
}

std::vector<rtcp_nack> nacks_to(const recording_output& out, transport_id to) {
  std::vector<rtcp_nack> found;
  for (const auto& s : out.rtcp)
    if (s.to == to)
      if (auto n = rtcp_nack::parse(s.bytes); n.ok()) found.push_back(*n);
  return found;
}

// A keyframe, then deltas 1..count-1, each 33 ms apart.
void publish_video(fixture& f, uint32_t ssrc, uint16_t first, int count, int64_t start_ms = 0) {
  for (int i = 0; i < count; ++i) {
    const auto seq = static_cast<uint16_t>(first + i);
    f.router.on_rtp(publisher, rtp(ssrc, seq, 3000u * static_cast<uint32_t>(i), 96, i == 0 ? vp8_key : vp8_delta),
                    start_ms + 33 * i);
  }
}

}  // namespace

TEST_CASE("a subscriber's NACK is answered from the retransmission cache under its own numbering", "[packet_router][nack]") {
  fixture f;
  f.router.set_producer(video_producer(10, 0xAAAA));
  f.router.set_consumer(consumer_of(20, 10, 0x5555, 100));
  publish_video(f, 0xAAAA, 1000, 10);
  REQUIRE(f.out.rtp.size() == 10);
  const auto lost = f.out.rtp[4].bytes;  // the subscriber says it never got this one
  const auto lost_view = rtp_packet_view::parse(lost);
  f.out.rtp.clear();
  f.out.rtcp.clear();
  f.router.on_rtcp(subscriber, nack_packet(0x5555, {lost_view->sequence()}), 400);
  REQUIRE(f.out.rtp.size() == 1);
  CHECK(f.out.rtp[0].to == subscriber);
  CHECK(f.out.rtp[0].bytes == lost);  // the same packet, byte for byte
  CHECK(nacks_to(f.out, publisher).empty());  // the SFU had it: the publisher is not bothered
  CHECK(f.router.counters(subscriber)->nacks_received == 1);
  CHECK(f.router.counters(subscriber)->packets_retransmitted == 1);
  // Asked again at once: not resent; after the resend interval: resent.
  f.router.on_rtcp(subscriber, nack_packet(0x5555, {lost_view->sequence()}), 410);
  CHECK(f.out.rtp.size() == 1);
  f.router.on_rtcp(subscriber, nack_packet(0x5555, {lost_view->sequence()}), 500);
  CHECK(f.out.rtp.size() == 2);
}

TEST_CASE("with RTX negotiated the retransmission goes as RTX carrying the original sequence number", "[packet_router][nack]") {
  fixture f;
  f.router.set_producer(video_producer(10, 0xAAAA));
  auto c = consumer_of(20, 10, 0x5555, 100);
  c.rtx_payload_type = 101;
  c.rtx_ssrc = 0x5556;
  f.router.set_consumer(c);
  publish_video(f, 0xAAAA, 1000, 5);
  const auto original_bytes = f.out.rtp[2].bytes;  // kept: the recording is cleared below
  const auto original = rtp_packet_view::parse(original_bytes);
  const auto original_payload = std::vector<uint8_t>(original->payload().begin(), original->payload().end());
  f.out.rtp.clear();
  f.router.on_rtcp(subscriber, nack_packet(0x5555, {original->sequence()}), 300);
  REQUIRE(f.out.rtp.size() == 1);
  const auto rtx = rtp_packet_view::parse(f.out.rtp[0].bytes);
  REQUIRE(rtx);
  CHECK(rtx->ssrc() == 0x5556);
  CHECK(rtx->payload_type() == 101);
  CHECK(rtx->timestamp() == original->timestamp());
  REQUIRE(rtx->payload().size() == original_payload.size() + 2);
  CHECK(read_u16(rtx->payload(), 0) == original->sequence());
  CHECK(std::equal(original_payload.begin(), original_payload.end(), rtx->payload().begin() + 2));
}

TEST_CASE("a gap on a publisher's stream is NACKed upstream and the RTX repair is forwarded in place", "[packet_router][nack]") {
  fixture f;
  auto p = video_producer(10, 0xAAAA);
  p.rtx_payload_type = 97;
  p.rtx_ssrcs = {0xAAAB};
  f.router.set_producer(p);
  f.router.set_consumer(consumer_of(20, 10, 0x5555, 100));
  f.out.rtcp.clear();
  publish_video(f, 0xAAAA, 1000, 3);  // 1000..1002
  f.router.on_rtp(publisher, rtp(0xAAAA, 1005, 15000, 96, vp8_delta), 200);  // 1003 and 1004 lost
  auto upstream = nacks_to(f.out, publisher);
  REQUIRE(upstream.size() == 1);
  CHECK(upstream[0].media_ssrc == 0xAAAA);
  CHECK(upstream[0].sequences() == std::vector<uint16_t>{1003, 1004});
  CHECK(f.router.counters(publisher)->nacks_sent == 1);
  REQUIRE(f.out.rtp.size() == 4);

  // The subscriber NACKs the hole too: the SFU has nothing, so it asks the publisher again.
  const auto after_hole = rtp_packet_view::parse(f.out.rtp[3].bytes);
  const auto hole = static_cast<uint16_t>(after_hole->sequence() - 2);
  f.out.rtcp.clear();
  f.router.on_rtcp(subscriber, nack_packet(0x5555, {hole}), 210);
  upstream = nacks_to(f.out, publisher);
  REQUIRE(upstream.size() == 1);
  CHECK(upstream[0].sequences() == std::vector<uint16_t>{1003});

  // The publisher repairs 1003 over RTX: the subscriber gets it as the packet it missed.
  auto repair = rtp(0xAAAB, 7, 9000, 97, {0x03, 0xEB, 0x10, 0x01, 0x9d});  // OSN 1003, then the payload
  f.router.on_rtp(publisher, repair, 230);
  REQUIRE(f.out.rtp.size() == 5);
  const auto repaired = rtp_packet_view::parse(f.out.rtp[4].bytes);
  CHECK(repaired->ssrc() == 0x5555);
  CHECK(repaired->payload_type() == 100);
  CHECK(repaired->sequence() == hole);
  CHECK(repaired->timestamp() == after_hole->timestamp() - 6000);
  CHECK(std::vector<uint8_t>(repaired->payload().begin(), repaired->payload().end()) == vp8_delta);
  CHECK(f.router.counters(publisher)->packets_repaired == 1);
  // The same repair again is a duplicate: not forwarded twice. And now it is cached.
  f.router.on_rtp(publisher, repair, 240);
  CHECK(f.out.rtp.size() == 5);
  f.router.on_rtcp(subscriber, nack_packet(0x5555, {hole}), 300);
  CHECK(f.out.rtp.size() == 6);
}

TEST_CASE("retransmissions to one subscriber are rate-limited", "[packet_router][nack]") {
  fixture f;
  f.router.set_producer(video_producer(10, 0xAAAA));
  f.router.set_consumer(consumer_of(20, 10, 0x5555, 100));
  publish_video(f, 0xAAAA, 0, 400);
  const auto first = rtp_packet_view::parse(f.out.rtp[0].bytes)->sequence();
  f.out.rtp.clear();
  std::vector<uint16_t> all;
  for (uint16_t i = 0; i < 400; ++i) all.push_back(static_cast<uint16_t>(first + i));
  for (size_t at = 0; at < all.size(); at += 64)
    f.router.on_rtcp(subscriber, nack_packet(0x5555, {all.begin() + static_cast<std::ptrdiff_t>(at),
                                                      all.begin() + static_cast<std::ptrdiff_t>(std::min(at + 64, all.size()))}),
                     20'000);
  const auto* counters = f.router.counters(subscriber);
  CHECK(f.out.rtp.size() == 100);  // the burst, then nothing until tokens refill
  CHECK(counters->packets_retransmitted == 100);
  CHECK(counters->retransmissions_limited == 300);
}

namespace {

std::vector<uint8_t> sender_report(uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts) {
  std::vector<uint8_t> sr(28);
  sr[0] = 0x80;
  sr[1] = 200;
  write_u16(sr, 2, 6);
  write_u32(sr, 4, ssrc);
  write_u64(sr, 8, ntp);
  write_u32(sr, 16, rtp_ts);
  return sr;
}

std::vector<uint8_t> receiver_report(uint32_t about_ssrc, uint8_t fraction_lost, uint32_t lsr, uint32_t dlsr) {
  std::vector<uint8_t> rr(8 + rtcp_report_block_size);
  rr[0] = 0x81;
  rr[1] = 201;
  write_u16(rr, 2, 7);
  write_u32(rr, 4, 0x4321);
  rtcp_report_block b;
  b.ssrc = about_ssrc;
  b.fraction_lost = fraction_lost;
  b.jitter = 450;
  b.last_sr = lsr;
  b.delay_since_last_sr = dlsr;
  b.write(std::span(rr).subspan(8));
  return rr;
}

}  // namespace

TEST_CASE("the publisher gets receiver reports with its loss and REMB, the subscriber gets sender reports",
          "[packet_router][rtcp]") {
  fixture f;
  f.router.set_producer(video_producer(10, 0xAAAA));
  f.router.set_consumer(consumer_of(20, 10, 0x5555, 100));
  f.router.on_tick(0);
  f.out.rtcp.clear();
  // 20 packets sent, 5 lost on the way in; the publisher's SR maps its clock.
  const uint64_t publisher_ntp = ntp_from_ms(5'000'000);
  f.router.on_rtcp(publisher, sender_report(0xAAAA, publisher_ntp, 90000), 100);
  for (uint16_t i = 0; i < 20; ++i) {
    if (i >= 10 && i < 15) continue;
    f.router.on_rtp(publisher, rtp(0xAAAA, static_cast<uint16_t>(500 + i), 90000 + 3000u * i, 96, i == 0 ? vp8_key : vp8_delta),
                    100 + 33 * i);
  }
  f.out.rtcp.clear();
  f.router.on_tick(1000);

  const auto* pub = f.router.counters(publisher);
  CHECK(pub->loss_in == Approx(0.25));
  CHECK(pub->bitrate_in_bps > 0);
  CHECK(pub->receive_estimate_bps > 0);
  bool saw_rr = false, saw_remb = false, saw_sr = false;
  for (const auto& s : f.out.rtcp) {
    rtcp_compound compound(s.bytes);
    while (const auto ref = compound.next()) {
      if (ref->header.packet_type == rtcp_type::receiver_report) {
        CHECK(s.to == publisher);
        const auto rr = rtcp_receiver_report::parse(ref->bytes);
        REQUIRE(rr.ok());
        REQUIRE(rr->reports.size() == 1);
        CHECK(rr->reports[0].ssrc == 0xAAAA);
        CHECK(rr->reports[0].cumulative_lost == 5);
        CHECK(rr->reports[0].fraction_lost == 64);
        CHECK(rr->reports[0].last_sr == ntp_middle(publisher_ntp));
        CHECK(ntp_short_to_ms(rr->reports[0].delay_since_last_sr) == Approx(900).margin(1));
        saw_rr = true;
      } else if (ref->header.packet_type == rtcp_type::payload_feedback) {
        const auto remb = rtcp_remb::parse(ref->bytes);
        REQUIRE(remb.ok());
        CHECK(remb->ssrcs == std::vector<uint32_t>{0xAAAA});
        saw_remb = true;
      } else if (ref->header.packet_type == rtcp_type::sender_report) {
        CHECK(s.to == subscriber);
        const auto sr = rtcp_sender_report::parse(ref->bytes);
        REQUIRE(sr.ok());
        CHECK(sr->ssrc == 0x5555);
        CHECK(sr->packet_count == 15);
        CHECK(sr->ntp_timestamp == f.router.ntp_at(1000));
        // The publisher's clock at 1000 ms (its SR came at 100 ms with 90000) in the
        // subscriber's numbering: the first forwarded packet kept its timestamp here.
        CHECK(sr->rtp_timestamp == 90000u + 81000u);
        saw_sr = true;
      }
    }
  }
  CHECK(saw_rr);
  CHECK(saw_remb);
  CHECK(saw_sr);

  // The subscriber's RR about that stream gives the round trip and its loss.
  const uint32_t lsr = ntp_middle(f.router.ntp_at(1000));
  f.router.on_rtcp(subscriber, receiver_report(0x5555, 128, lsr, ms_to_ntp_short(100)), 1150);
  f.router.on_tick(2000);
  const auto* sub = f.router.counters(subscriber);
  CHECK(sub->rtt_ms == Approx(50).margin(1));
  CHECK(sub->loss_out == 0.5);
  CHECK(sub->jitter_out_ms == Approx(5.0));
  CHECK(sub->send_estimate_bps > 0);
  CHECK(sub->bitrate_out_bps == 0);  // nothing was forwarded in the last second
}

TEST_CASE("a subscriber's bandwidth estimate drops the simulcast layer under loss and restores it when clean",
          "[packet_router][bandwidth]") {
  fixture f;
  producer_spec p = video_producer(12, 0);
  p.ssrcs.clear();
  p.rids = {"q", "h", "f"};
  p.extensions.rid = 5;
  f.router.set_producer(p);
  f.router.set_consumer(consumer_of(22, 12, 0x7777, 96));
  auto with_rid = [](uint32_t ssrc, uint16_t seq, uint32_t ts, bool key, char rid, size_t size) {
    auto pkt = rtp(ssrc, seq, ts, 96, key ? vp8_key : vp8_delta);
    pkt[14] = 0;
    pkt[15] = 1;
    pkt[18] = static_cast<uint8_t>(5 << 4);
    pkt[19] = static_cast<uint8_t>(rid);
    pkt.resize(size, 0);
    return pkt;
  };
  // Three layers at about 100, 400 and 560 kbit/s (50 packets a second each), a keyframe
  // on every layer each second.
  const std::array<uint32_t, 3> ssrcs{0x100, 0x200, 0x300};
  const std::array<char, 3> rids{'q', 'h', 'f'};
  const std::array<size_t, 3> sizes{250, 1000, 1400};
  std::array<uint16_t, 3> seq{1, 1, 1};
  int64_t now = 0;
  uint32_t forwarded_from = 0;
  auto second = [&](uint8_t fraction_lost) {
    for (int i = 0; i < 50; ++i) {
      now += 20;
      for (size_t l = 0; l < 3; ++l) {
        const auto size = sizes[l];
        f.out.rtp.clear();
        f.router.on_rtp(publisher, with_rid(ssrcs[l], seq[l]++, static_cast<uint32_t>(now * 90), i == 0, rids[l], size), now);
        if (!f.out.rtp.empty()) forwarded_from = static_cast<uint32_t>(size);
      }
    }
    f.router.on_rtcp(subscriber, receiver_report(0x7777, fraction_lost, 0, 0), now);
    f.router.on_tick(now);
  };
  for (int s = 0; s < 3; ++s) second(0);
  CHECK(forwarded_from == 1400);  // the top layer
  // 40% loss for twelve seconds: the estimate falls below the middle layer's rate, and the
  // switch down happens at the lowest layer's next keyframe.
  for (int s = 0; s < 12; ++s) second(102);
  CHECK(f.router.counters(subscriber)->send_estimate_bps < 400'000);
  CHECK(forwarded_from == sizes[0]);
  // A clean path again: the layer climbs back, switching at keyframes.
  for (int s = 0; s < 25; ++s) second(0);
  CHECK(forwarded_from == 1400);
}

TEST_CASE("a paused screen share is dropped at the worker until sharing resumes, apart from any mute",
          "[packet_router]") {
  fixture f;
  f.router.set_producer(video_producer(10, 0xAAAA));
  f.router.set_consumer(consumer_of(20, 10, 0x5555, 100));
  publish_video(f, 0xAAAA, 100, 3);
  REQUIRE(f.out.rtp.size() == 3);
  f.router.set_producer_paused(10, true);
  f.out.rtcp.clear();
  publish_video(f, 0xAAAA, 103, 5, 200);
  CHECK(f.out.rtp.size() == 3);
  CHECK(f.router.counters(publisher)->packets_dropped_paused == 5);
  CHECK(f.router.counters(publisher)->packets_dropped_muted == 0);
  // Resuming asks the publisher for a keyframe, so the subscriber's picture comes back at once.
  f.router.set_producer_paused(10, false);
  bool asked = false;
  for (const auto& s : f.out.rtcp) asked = asked || (s.to == publisher && rtcp_pli::parse(s.bytes).ok());
  CHECK(asked);
  publish_video(f, 0xAAAA, 108, 2, 400);
  CHECK(f.out.rtp.size() == 5);
}

namespace {

constexpr uint8_t transport_cc_id = 5;

// RTP with mid "0" and a transport-wide sequence number (RFC 8285 one-byte form).
std::vector<uint8_t> rtp_with_transport_sequence(uint32_t ssrc, uint16_t seq, uint16_t transport_seq,
                                                 const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> p{0x90, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x02};
  write_u16(p, 2, seq);
  write_u32(p, 4, 3000u * seq);
  write_u32(p, 8, ssrc);
  const std::vector<uint8_t> elements{static_cast<uint8_t>(mid_id << 4), '0', static_cast<uint8_t>(transport_cc_id << 4 | 1),
                                      static_cast<uint8_t>(transport_seq >> 8), static_cast<uint8_t>(transport_seq & 0xFF),
                                      0, 0, 0};
  p.insert(p.end(), elements.begin(), elements.end());
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

}  // namespace

TEST_CASE("a publisher that negotiated transport-cc gets feedback on every transport-wide sequence number",
          "[packet_router][twcc]") {
  fixture f;
  auto spec = video_producer(10, 0xAAAA);
  spec.extensions.transport_cc = transport_cc_id;
  f.router.set_producer(spec);
  f.router.set_consumer(consumer_of(20, 10, 0x5555, 100));
  f.out.rtcp.clear();
  std::vector<uint16_t> sent;
  for (uint16_t i = 0; i < 40; ++i) {
    const auto transport_seq = static_cast<uint16_t>(65520 + i);  // wraps on the way
    if (i == 7 || i == 8) continue;                              // lost on the way in
    // A probe on an SSRC the SFU does not route still counts for the path.
    const uint32_t ssrc = i == 30 ? 0xBBBB : 0xAAAA;
    const int64_t now_ms = 5 * i;
    f.router.on_rtp(publisher, rtp_with_transport_sequence(ssrc, static_cast<uint16_t>(100 + i), transport_seq,
                                                           i == 0 ? vp8_key : vp8_delta),
                    now_ms, now_ms * 1000 + 250);
    sent.push_back(transport_seq);
  }
  f.router.on_tick(1000);  // reports the tail too

  std::vector<uint16_t> reported_received, reported_lost;
  int64_t previous_time = -1;
  uint16_t previous_seq = 0;
  int expected_count = 0;
  for (const auto& s : f.out.rtcp) {
    rtcp_compound compound(s.bytes);
    while (const auto ref = compound.next()) {
      if (ref->header.packet_type != rtcp_type::rtp_feedback || ref->header.count != rtcp_fmt::transport_feedback)
        continue;
      CHECK(s.to == publisher);
      const auto fb = rtcp_transport_feedback::parse(ref->bytes);
      REQUIRE(fb.ok());
      CHECK(fb->feedback_count == expected_count++);
      for (uint16_t k = 0; k < fb->packet_status_count; ++k) {
        const auto seq = static_cast<uint16_t>(fb->base_sequence + k);
        const bool got = std::any_of(fb->received.begin(), fb->received.end(), [&](const auto& r) { return r.sequence == seq; });
        (got ? reported_received : reported_lost).push_back(seq);
      }
      fb->for_each_receive_time([&](uint16_t seq, int64_t t) {
        // 5 ms per sequence number, as they came (the lost ones leave their time out).
        if (previous_time >= 0) CHECK(t - previous_time == 5000 * static_cast<uint16_t>(seq - previous_seq));
        previous_time = t;
        previous_seq = seq;
      });
    }
  }
  CHECK(expected_count >= 3);  // about every 50 ms, not once per packet nor once per tick
  CHECK(expected_count <= 6);
  CHECK(reported_received == sent);
  CHECK(reported_lost == std::vector<uint16_t>{65527, 65528});
  CHECK(f.router.counters(publisher)->transport_feedback_sent == static_cast<uint64_t>(expected_count));
  // The subscriber does not see the publisher's transport-wide numbers.
  for (const auto& r : f.out.rtp) {
    const auto view = rtp_packet_view::parse(r.bytes);
    REQUIRE(view.ok());
    CHECK_FALSE(view->extension(transport_cc_id));
  }
}

TEST_CASE("a publisher without transport-cc gets no transport feedback", "[packet_router][twcc]") {
  fixture f;
  f.router.set_producer(video_producer(10, 0xAAAA));
  for (uint16_t i = 0; i < 10; ++i)
    f.router.on_rtp(publisher, rtp_with_transport_sequence(0xAAAA, i, i, vp8_key), 60 * i);
  f.router.on_tick(1000);
  for (const auto& s : f.out.rtcp) CHECK_FALSE(rtcp_transport_feedback::parse(s.bytes).ok());
  CHECK(f.router.counters(publisher)->transport_feedback_sent == 0);
}

TEST_CASE("a subscriber that negotiated transport-cc gets its own transport-wide numbers, and its feedback's "
          "queueing delay lowers its estimate",
          "[packet_router][twcc]") {
  fixture f;
  auto spec = video_producer(10, 0xAAAA);
  spec.extensions.transport_cc = transport_cc_id;
  f.router.set_producer(spec);
  auto sub = consumer_of(20, 10, 0x5555, 100);
  sub.extensions.transport_cc = 11;
  f.router.set_consumer(sub);
  // 60 packets, 5 ms apart, keyframe first: all forwarded.
  for (uint16_t i = 0; i < 60; ++i) {
    const int64_t now_ms = 1000 + 5 * i;
    f.router.on_rtp(publisher, rtp_with_transport_sequence(0xAAAA, static_cast<uint16_t>(200 + i),
                                                           static_cast<uint16_t>(9000 + i), i == 0 ? vp8_key : vp8_delta),
                    now_ms, now_ms * 1000);
  }
  REQUIRE(f.out.rtp.size() == 60);
  for (size_t i = 0; i < f.out.rtp.size(); ++i) {
    const auto view = rtp_packet_view::parse(f.out.rtp[i].bytes);
    REQUIRE(view.ok());
    CHECK_FALSE(view->extension(transport_cc_id));  // the publisher's id is gone
    const auto element = view->extension(11);
    REQUIRE(element);
    REQUIRE(element->size() == 2);
    CHECK(read_u16(*element, 0) == i);  // the subscriber transport's own numbering, from 0
  }

  // The subscriber reports them arriving ever later: a queue of 1 ms more per packet.
  const auto estimate_before = f.router.counters(subscriber)->send_estimate_bps;
  transport_feedback_builder arrivals;
  std::array<uint8_t, transport_feedback_builder::max_feedback_bytes> buffer{};
  int64_t now_ms = 1300;
  for (uint16_t i = 0; i < 60; ++i) {
    arrivals.on_packet(i, 50'000'000 + i * 6000);
    if (i % 10 != 9) continue;
    const size_t n = arrivals.write_next(0x5555, 0x5555, buffer);
    REQUIRE(n > 0);
    f.router.on_rtcp(subscriber, std::span<const uint8_t>(buffer).first(n), now_ms += 50);
  }
  const auto* counters = f.router.counters(subscriber);
  CHECK(counters->transport_feedback_received == 6);
  CHECK(counters->queue_delay_ms > 20);
  CHECK(counters->send_estimate_bps > 0);
  CHECK(counters->send_estimate_bps < (estimate_before == 0 ? bandwidth_estimator{}.estimate_bps() : estimate_before));
}

TEST_CASE("a queue in a subscriber's transport-cc feedback moves it down a simulcast layer, a clear path lets the "
          "estimate grow again",
          "[packet_router][twcc][bandwidth]") {
  fixture f;
  producer_spec p = video_producer(12, 0);
  p.ssrcs.clear();
  p.rids = {"q", "h", "f"};
  p.extensions.rid = 5;
  p.extensions.transport_cc = 6;
  f.router.set_producer(p);
  auto sub = consumer_of(22, 12, 0x7777, 96);
  sub.extensions.transport_cc = 11;
  f.router.set_consumer(sub);
  uint16_t publisher_transport_seq = 0;
  // mid "0", rid, transport-wide number: two words of one-byte extensions.
  auto packet = [&](uint32_t ssrc, uint16_t seq, uint32_t ts, bool key, char rid, size_t size) {
    std::vector<uint8_t> pkt{0x90, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x02};
    write_u16(pkt, 2, seq);
    write_u32(pkt, 4, ts);
    write_u32(pkt, 8, ssrc);
    const uint16_t tw = publisher_transport_seq++;
    const std::vector<uint8_t> elements{static_cast<uint8_t>(mid_id << 4), '0', static_cast<uint8_t>(5 << 4),
                                        static_cast<uint8_t>(rid), static_cast<uint8_t>(6 << 4 | 1),
                                        static_cast<uint8_t>(tw >> 8), static_cast<uint8_t>(tw & 0xFF), 0};
    pkt.insert(pkt.end(), elements.begin(), elements.end());
    const auto& payload = key ? vp8_key : vp8_delta;
    pkt.insert(pkt.end(), payload.begin(), payload.end());
    pkt.resize(size, 0);
    return pkt;
  };
  const std::array<uint32_t, 3> ssrcs{0x100, 0x200, 0x300};
  const std::array<char, 3> rids{'q', 'h', 'f'};
  const std::array<size_t, 3> sizes{250, 1000, 1400};
  std::array<uint16_t, 3> seq{1, 1, 1};
  int64_t now = 0;
  int64_t queue_us = 0;
  uint32_t forwarded_from = 0;
  transport_feedback_builder arrivals;  // the subscriber's receive side
  std::array<uint8_t, transport_feedback_builder::max_feedback_bytes> buffer{};
  auto second = [&](int64_t queue_growth_per_step_us) {
    for (int i = 0; i < 50; ++i) {
      now += 20;
      queue_us = queue_growth_per_step_us < 0 ? 0 : queue_us + queue_growth_per_step_us;
      for (size_t l = 0; l < 3; ++l) {
        f.out.rtp.clear();
        f.router.on_rtp(publisher, packet(ssrcs[l], seq[l]++, static_cast<uint32_t>(now * 90), i == 0, rids[l], sizes[l]),
                        now);
        for (const auto& r : f.out.rtp) {
          forwarded_from = static_cast<uint32_t>(r.bytes.size());
          const auto view = rtp_packet_view::parse(r.bytes);
          REQUIRE(view.ok());
          const auto element = view->extension(11);
          REQUIRE(element);
          arrivals.on_packet(read_u16(*element, 0), 900'000'000 + now * 1000 + queue_us);
        }
      }
      if (i % 5 == 4)
        while (const size_t n = arrivals.write_next(0x7777, 0x7777, buffer))
          f.router.on_rtcp(subscriber, std::span<const uint8_t>(buffer).first(n), now);
    }
    f.router.on_rtcp(subscriber, receiver_report(0x7777, 0, 0, 0), now);
    f.router.on_tick(now);
  };
  for (int s = 0; s < 3; ++s) second(-1);
  CHECK(forwarded_from == 1400);  // the top layer
  // The path carries less than the top layer: every packet waits 2 ms longer than the last.
  for (int s = 0; s < 4; ++s) second(2000);
  CHECK(f.router.counters(subscriber)->queue_delay_ms > 30);
  const auto cut = f.router.counters(subscriber)->send_estimate_bps;
  CHECK(cut < 560'000);
  CHECK(forwarded_from < 1400);  // switched down at a keyframe
  // The queue drains and stays clear: the estimate grows again.
  for (int s = 0; s < 10; ++s) second(-1);
  CHECK(f.router.counters(subscriber)->queue_delay_ms < 10);
  CHECK(f.router.counters(subscriber)->send_estimate_bps > cut);
}
