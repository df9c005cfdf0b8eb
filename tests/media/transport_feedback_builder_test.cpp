// Tests for the transport-cc feedback builder: arrivals in, feedback messages out, read back
// with the wire parser the way a sender would read them.
#include "media/transport_feedback_builder.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdlib>
#include <map>
#include <vector>

#include "media/byte_io.hpp"

using namespace parley::media;

namespace {

constexpr uint32_t sender = 1;
constexpr uint32_t media = 0x1234;
constexpr int64_t start_us = 10'000'000'000;  // a steady clock some hours after boot

struct written {
  std::vector<uint8_t> bytes;
  rtcp_transport_feedback parsed;
};

std::vector<written> drain(transport_feedback_builder& b) {
  std::vector<written> out;
  std::array<uint8_t, transport_feedback_builder::max_feedback_bytes> buf{};
  while (const size_t n = b.write_next(sender, media, buf)) {
    REQUIRE(n <= buf.size());
    REQUIRE(n % 4 == 0);
    const std::span<const uint8_t> bytes(buf.data(), n);
    const auto parsed = rtcp_transport_feedback::parse(bytes);
    REQUIRE(parsed.ok());
    out.push_back({{bytes.begin(), bytes.end()}, *parsed});
    REQUIRE(out.size() < 100);  // never loops
  }
  return out;
}

// Receive times the sender reconstructs, by sequence, relative to the first message's
// reference time (the sender only ever uses differences).
std::map<uint16_t, int64_t> receive_times(const std::vector<written>& messages) {
  std::map<uint16_t, int64_t> times;
  for (const auto& m : messages) m.parsed.for_each_receive_time([&](uint16_t seq, int64_t t) { times[seq] = t; });
  return times;
}

}  // namespace

TEST_CASE("TWCC builder reports in-order arrivals with their spacing in 250 us ticks", "[twcc][builder]") {
  transport_feedback_builder b;
  CHECK_FALSE(b.pending());
  for (uint16_t i = 0; i < 5; ++i) b.on_packet(static_cast<uint16_t>(100 + i), start_us + i * 1000);
  CHECK(b.pending());
  const auto out = drain(b);
  REQUIRE(out.size() == 1);
  const auto& m = out[0].parsed;
  CHECK(m.sender_ssrc == sender);
  CHECK(m.media_ssrc == media);
  CHECK(m.base_sequence == 100);
  CHECK(m.packet_status_count == 5);
  CHECK(m.feedback_count == 0);
  CHECK(m.reference_time == start_us / twcc_reference_time_unit_us);  // 64 ms units
  REQUIRE(m.received.size() == 5);
  CHECK(m.received[0].delta_ticks == (start_us % 64000) / 250);
  for (size_t i = 1; i < 5; ++i) CHECK(m.received[i].delta_ticks == 4);  // 1 ms apart
  CHECK_FALSE(b.pending());
  CHECK(drain(b).empty());
}

TEST_CASE("TWCC builder reports missing sequence numbers as not received", "[twcc][builder]") {
  transport_feedback_builder b;
  b.on_packet(10, start_us);
  b.on_packet(11, start_us + 500);
  b.on_packet(13, start_us + 1000);
  b.on_packet(16, start_us + 2000);
  const auto out = drain(b);
  REQUIRE(out.size() == 1);
  const auto& m = out[0].parsed;
  CHECK(m.base_sequence == 10);
  CHECK(m.packet_status_count == 7);
  std::vector<uint16_t> seen;
  for (const auto& r : m.received) seen.push_back(r.sequence);
  CHECK(seen == std::vector<uint16_t>{10, 11, 13, 16});

  // The next message starts right after the last one, so a loss at the boundary is reported.
  b.on_packet(18, start_us + 3000);
  const auto next = drain(b);
  REQUIRE(next.size() == 1);
  CHECK(next[0].parsed.base_sequence == 17);
  CHECK(next[0].parsed.packet_status_count == 2);
  REQUIRE(next[0].parsed.received.size() == 1);
  CHECK(next[0].parsed.received[0].sequence == 18);
  CHECK(next[0].parsed.feedback_count == 1);
}

TEST_CASE("TWCC builder reports a reordered packet in sequence order with a negative delta", "[twcc][builder]") {
  transport_feedback_builder b;
  b.on_packet(1, start_us);
  b.on_packet(3, start_us + 1000);
  b.on_packet(2, start_us + 3000);  // overtaken on the way
  b.on_packet(2, start_us + 9000);  // a duplicate keeps the first arrival
  const auto out = drain(b);
  REQUIRE(out.size() == 1);
  const auto& m = out[0].parsed;
  CHECK(m.packet_status_count == 3);
  REQUIRE(m.received.size() == 3);
  CHECK(m.received[1] == rtcp_transport_feedback::received_packet{2, 12});
  CHECK(m.received[2] == rtcp_transport_feedback::received_packet{3, -8});  // a two-byte delta
  const auto times = receive_times(out);
  CHECK(times.at(2) - times.at(1) == 3000);
  CHECK(times.at(3) - times.at(1) == 1000);

  // A packet older than what was already reported comes too late: nothing new to say.
  b.on_packet(0, start_us + 10000);
  CHECK_FALSE(b.pending());
}

TEST_CASE("TWCC builder follows the 16-bit sequence across its wrap", "[twcc][builder]") {
  transport_feedback_builder b;
  const std::array<uint16_t, 5> sequence{65533, 65534, 65535, 0, 1};
  for (size_t i = 0; i < sequence.size(); ++i) b.on_packet(sequence[i], start_us + static_cast<int64_t>(i) * 2000);
  const auto out = drain(b);
  REQUIRE(out.size() == 1);
  CHECK(out[0].parsed.base_sequence == 65533);
  CHECK(out[0].parsed.packet_status_count == 5);
  REQUIRE(out[0].parsed.received.size() == 5);
  CHECK(out[0].parsed.received[3].sequence == 0);
  CHECK(out[0].parsed.received[4].sequence == 1);
  CHECK(out[0].parsed.received[4].delta_ticks == 8);
}

TEST_CASE("TWCC builder's feedback count wraps at 8 bits", "[twcc][builder]") {
  transport_feedback_builder b;
  for (int i = 0; i < 300; ++i) {
    b.on_packet(static_cast<uint16_t>(i), start_us + i * 1000);
    const auto out = drain(b);
    REQUIRE(out.size() == 1);
    CHECK(out[0].parsed.feedback_count == static_cast<uint8_t>(i));
  }
  CHECK(b.feedback_count() == static_cast<uint8_t>(300));
}

TEST_CASE("TWCC builder encodes runs as run-length chunks and long losses cheaply", "[twcc][builder]") {
  transport_feedback_builder b;
  for (uint16_t i = 0; i < 100; ++i) b.on_packet(i, start_us + i * 500);  // 100 received, small deltas
  b.on_packet(1100, start_us + 60'000);                                     // then 999 lost
  const auto out = drain(b);
  REQUIRE(out.size() == 1);
  const auto& bytes = out[0].bytes;
  const uint16_t first_chunk = read_u16(bytes, 20);
  CHECK((first_chunk & 0x8000) == 0);         // run-length chunk
  CHECK(((first_chunk >> 13) & 0x3) == 1);    // of "received, small delta"
  CHECK((first_chunk & 0x1FFF) == 100);
  CHECK(out[0].parsed.packet_status_count == 1101);
  CHECK(out[0].parsed.received.size() == 101);
  CHECK(bytes.size() < 20 + 3 * 2 + 102 + 4);  // three chunks and the deltas: the loss costs nothing per packet
  const auto times = receive_times(out);
  CHECK(times.at(1100) - times.at(0) == 60'000);
}

TEST_CASE("TWCC builder starts a new message when a delta would not fit 16 bits", "[twcc][builder]") {
  transport_feedback_builder b;
  b.on_packet(7, start_us);
  b.on_packet(8, start_us + 10'000'000);  // 10 s later: over the 8.19 s a delta holds
  const auto out = drain(b);
  REQUIRE(out.size() == 2);
  CHECK(out[0].parsed.packet_status_count == 1);
  CHECK(out[1].parsed.base_sequence == 8);
  CHECK(out[1].parsed.feedback_count == 1);
  CHECK(out[1].parsed.reference_time != out[0].parsed.reference_time);
  const auto times = receive_times(out);
  CHECK(times.at(8) - times.at(7) == 10'000'000);
}

TEST_CASE("TWCC builder splits a long interval into bounded messages covering each number once", "[twcc][builder]") {
  transport_feedback_builder b;
  // Every other packet lost, uneven spacing: the worst case for chunk packing.
  std::map<uint16_t, int64_t> sent;
  for (int i = 0; i < 3000; ++i) {
    if (i % 2 == 1) continue;
    const auto seq = static_cast<uint16_t>(60000 + i);
    const int64_t at = start_us + i * 300 + (i % 3) * 70;
    b.on_packet(seq, at);
    sent[seq] = at;
  }
  const auto out = drain(b);
  REQUIRE(out.size() >= 6);  // 1500 received, at most 256 per message
  uint16_t expected_base = 60000;
  for (size_t i = 0; i < out.size(); ++i) {
    const auto& m = out[i].parsed;
    CHECK(out[i].bytes.size() <= transport_feedback_builder::max_feedback_bytes);
    CHECK(out[i].bytes.size() <= 1200);
    CHECK(m.received.size() <= transport_feedback_builder::max_received_per_feedback);
    CHECK(m.base_sequence == expected_base);
    CHECK(m.feedback_count == i);
    expected_base = static_cast<uint16_t>(m.base_sequence + m.packet_status_count);
  }
  const auto times = receive_times(out);
  REQUIRE(times.size() == sent.size());
  // Each arrival comes back within half a tick of the truth, relative to the first one.
  const int64_t offset = times.begin()->second - sent.begin()->second;
  for (const auto& [seq, at] : sent) CHECK(std::abs(times.at(seq) - at - offset) <= 125);
}

TEST_CASE("TWCC builder gives up numbers that fall out of its window", "[twcc][builder]") {
  transport_feedback_builder b;
  b.on_packet(0, start_us);
  b.on_packet(3, start_us + 1000);
  b.on_packet(10000, start_us + 2000);  // beyond the ring: 0 and 3 are dropped unreported
  const auto out = drain(b);
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].parsed.received.size() == 1);
  CHECK(out[0].parsed.received[0].sequence == 10000);
  CHECK(out[0].parsed.packet_status_count == 1);

  // A lost run longer than one message may cover is skipped rather than sent as empty messages.
  b.on_packet(12500, start_us + 3000);
  const auto next = drain(b);
  REQUIRE(next.size() == 1);
  CHECK(next[0].parsed.base_sequence == 12500);
}

TEST_CASE("TWCC builder reports each arrival's own time after the ring has wrapped many times", "[twcc][builder]") {
  transport_feedback_builder b;
  // 5 ms apart, reported every 20 packets like the 50 ms feedback interval, for 3 rings' worth.
  const size_t total = 3 * transport_feedback_builder::window + 7;
  for (size_t i = 0; i < total; ++i) {
    const auto sequence = static_cast<uint16_t>(60000 + i);
    b.on_packet(sequence, start_us + static_cast<int64_t>(i) * 5000);
    if (i % 20 != 19 && i + 1 != total) continue;
    const auto out = drain(b);
    REQUIRE_FALSE(out.empty());
    for (const auto& m : out) {
      // Every packet arrived, 5 ms (20 ticks) after the one before it.
      CHECK(m.parsed.received.size() == m.parsed.packet_status_count);
      for (size_t k = 1; k < m.parsed.received.size(); ++k) CHECK(m.parsed.received[k].delta_ticks == 20);
    }
  }
}
