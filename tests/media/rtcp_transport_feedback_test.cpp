// Tests for transport-wide CC feedback: all chunk kinds, both delta sizes, byte-exact output.
#include "media/rtcp_transport_feedback.hpp"

#include <catch2/catch.hpp>

#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::from_hex;
using parley::media::test::read_binary;

namespace {

rtcp_transport_feedback round_trip(const rtcp_transport_feedback& t) {
  std::array<uint8_t, 1500> buf{};
  const auto n = t.write(buf);
  REQUIRE(n);
  REQUIRE(*n % 4 == 0);
  const auto back = rtcp_transport_feedback::parse(std::span<const uint8_t>(buf).first(*n));
  REQUIRE(back.ok());
  return *back;
}

}  // namespace

TEST_CASE("TWCC with a one-bit status vector parses and re-serialises byte for byte", "[rtcp][twcc]") {
  // From mediasoup's test suite: 13 statuses, 10 received, small deltas.
  const auto data = read_binary("rtcp/twcc-one-bit-vector.bin");
  const auto t = rtcp_transport_feedback::parse(data);
  REQUIRE(t.ok());
  CHECK(t->sender_ssrc == 0xFA17FA17);
  CHECK(t->media_ssrc == 0x09FAFF67);
  CHECK(t->base_sequence == 39);
  CHECK(t->packet_status_count == 13);
  CHECK(t->reference_time == 0x5FC2F1);
  CHECK(t->feedback_count == 3);
  REQUIRE(t->received.size() == 10);
  CHECK(t->received[0] == rtcp_transport_feedback::received_packet{39, 0x10});
  CHECK(t->received[6].sequence == 45);
  CHECK(t->received[7] == rtcp_transport_feedback::received_packet{49, 0x1C});  // 46-48 lost
  CHECK(t->received[8] == rtcp_transport_feedback::received_packet{50, 0x04});
  CHECK(t->received[9] == rtcp_transport_feedback::received_packet{51, 0});

  std::array<uint8_t, 64> buf{};
  const auto n = t->write(buf);
  REQUIRE(n == data.size());
  CHECK(std::equal(data.begin(), data.end(), buf.begin()));
}

TEST_CASE("TWCC negative reference time and empty status list", "[rtcp][twcc]") {
  const auto data = read_binary("rtcp/twcc-negative-reference-time.bin");
  const auto t = rtcp_transport_feedback::parse(data);
  REQUIRE(t.ok());
  CHECK(t->reference_time == -2);
  CHECK(t->packet_status_count == 0);
  CHECK(t->received.empty());
  std::array<uint8_t, 32> buf{};
  REQUIRE(t->write(buf) == data.size());
  CHECK(std::equal(data.begin(), data.end(), buf.begin()));
}

TEST_CASE("TWCC run-length chunks and two-bit vectors with large and negative deltas", "[rtcp][twcc]") {
  const auto data = from_hex(
      "8f cd 00 08 00 00 00 01 00 00 00 02"
      "ff fe 00 0b 00 00 10 07"  // base 65534 (wraps), 11 statuses, ref time 16, fb count 7
      "20 05"                    // run-length: 5 x small delta
      "00 03"                    // run-length: 3 x not received
      "e4 00"                    // 2-bit vector: large, small, not received (and padding)
      "01 02 03 04 05"           // five small deltas
      "ff f6 08"                 // large delta -10, small 8
      "00 00");
  const auto t = rtcp_transport_feedback::parse(data);
  REQUIRE(t.ok());
  CHECK(t->packet_status_count == 11);
  REQUIRE(t->received.size() == 7);
  CHECK(t->received[0] == rtcp_transport_feedback::received_packet{65534, 1});
  CHECK(t->received[2] == rtcp_transport_feedback::received_packet{0, 3});
  CHECK(t->received[4] == rtcp_transport_feedback::received_packet{2, 5});
  CHECK(t->received[5] == rtcp_transport_feedback::received_packet{6, -10});
  CHECK(t->received[6] == rtcp_transport_feedback::received_packet{7, 8});

  std::vector<int64_t> times;
  t->for_each_receive_time([&](uint16_t, int64_t us) { times.push_back(us); });
  CHECK(times.front() == 16 * 64000 + 250);
  CHECK(times.back() == 16 * 64000 + 250 * (1 + 2 + 3 + 4 + 5 - 10 + 8));

  CHECK(round_trip(*t) == *t);
}

TEST_CASE("TWCC built from arrivals encodes what the estimator needs", "[rtcp][twcc]") {
  std::vector<twcc_arrival> arrivals;
  int64_t now = 1'000'000'123;
  for (uint16_t seq = 65500; seq != 40; ++seq) {
    if (seq % 17 == 0) continue;  // lost
    now += (seq % 5 == 0) ? 70'000 : 2'000;  // a few gaps need large deltas
    arrivals.push_back({seq, now});
  }
  const auto t = rtcp_transport_feedback::from_arrivals(1, 2, 9, arrivals);
  CHECK(t.base_sequence == 65500);
  CHECK(t.packet_status_count == static_cast<uint16_t>(39 - 65500 + 1));
  CHECK(t.received.size() == arrivals.size());
  const auto back = round_trip(t);
  CHECK(back == t);

  // Receive times survive within the 250 µs quantum, without drift.
  size_t i = 0;
  const int64_t offset = arrivals[0].arrival_us - (arrivals[0].arrival_us / 64000) * 64000;
  back.for_each_receive_time([&](uint16_t seq, int64_t us) {
    CHECK(seq == arrivals[i].sequence);
    const int64_t expected = (arrivals[i].arrival_us - arrivals[0].arrival_us + offset) +
                             int64_t{back.reference_time} * 64000;
    CHECK(std::llabs(us - expected) <= 125);
    ++i;
  });
  CHECK(i == arrivals.size());
}

TEST_CASE("TWCC from arrivals stops at a gap a delta cannot hold", "[rtcp][twcc]") {
  const std::vector<twcc_arrival> arrivals = {{10, 0}, {11, 1000}, {12, 1000 + 9'000'000}};
  const auto t = rtcp_transport_feedback::from_arrivals(1, 2, 0, arrivals);
  CHECK(t.packet_status_count == 2);
  CHECK(t.received.size() == 2);
}

TEST_CASE("TWCC never trusts its counts", "[rtcp][twcc]") {
  SECTION("status count needing more chunks than present") {
    const auto data = from_hex("8f cd 00 04 00 00 00 01 00 00 00 02 00 00 00 20 00 00 00 00");
    CHECK(rtcp_transport_feedback::parse(data).error() == parse_error::truncated);
  }
  SECTION("run of received packets whose deltas are missing") {
    const auto data = from_hex("8f cd 00 05 00 00 00 01 00 00 00 02 00 00 1f ff 00 00 00 00 3f ff 00 00");
    CHECK(rtcp_transport_feedback::parse(data).error() == parse_error::truncated);
  }
  SECTION("reserved symbol") {
    const auto data = from_hex("8f cd 00 05 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 00 60 01 00 00");
    CHECK(rtcp_transport_feedback::parse(data).error() == parse_error::bad_value);
  }
  SECTION("65535 lost packets in one chunk-heavy message allocate nothing per status") {
    std::vector<uint8_t> data = from_hex("8f cd 00 09 00 00 00 01 00 00 00 02 00 00 ff ff 00 00 00 00");
    for (int i = 0; i < 8; ++i) data.insert(data.end(), {0x1f, 0xff});
    data.insert(data.end(), {0x00, 0x07, 0x00, 0x00});
    data[3] = static_cast<uint8_t>(data.size() / 4 - 1);
    const auto t = rtcp_transport_feedback::parse(data);
    REQUIRE(t.ok());
    CHECK(t->packet_status_count == 65535);
    CHECK(t->received.empty());
  }
}
