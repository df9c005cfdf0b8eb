// Transport-wide CC feedback: packet status chunks, receive deltas, both directions.
#include "media/rtcp_transport_feedback.hpp"

#include <algorithm>

#include "media/byte_io.hpp"
#include "media/rtcp_header.hpp"

namespace parley::media {
namespace {

constexpr size_t fixed_fci_size = 8;  // base seq, status count, reference time, fb count
constexpr uint8_t symbol_not_received = 0;
constexpr uint8_t symbol_small_delta = 1;
constexpr uint8_t symbol_large_delta = 2;
constexpr size_t max_run_length = 0x1FFF;
constexpr size_t one_bit_capacity = 14;
constexpr size_t two_bit_capacity = 7;

// Calls f(symbol) for each of `count` statuses; returns the number of chunk bytes used.
template <typename F>
parse_result<size_t> walk_chunks(std::span<const uint8_t> chunks, size_t count, F&& f) {
  size_t at = 0;
  size_t done = 0;
  while (done < count) {
    if (chunks.size() - at < 2) return parse_error::truncated;
    const uint16_t chunk = read_u16(chunks, at);
    at += 2;
    if ((chunk & 0x8000) == 0) {
      const auto symbol = static_cast<uint8_t>((chunk >> 13) & 0x3);
      const size_t run = chunk & 0x1FFF;
      if (symbol == 3) return parse_error::bad_value;
      // A zero-length run carries nothing; tolerated, since it cannot loop forever.
      for (size_t i = 0; i < run && done < count; ++i, ++done) f(symbol);
    } else if ((chunk & 0x4000) == 0) {
      for (size_t i = 0; i < one_bit_capacity && done < count; ++i, ++done)
        f(static_cast<uint8_t>((chunk >> (13 - i)) & 0x1));
    } else {
      for (size_t i = 0; i < two_bit_capacity && done < count; ++i, ++done) {
        const auto symbol = static_cast<uint8_t>((chunk >> (12 - 2 * i)) & 0x3);
        if (symbol == 3) return parse_error::bad_value;
        f(symbol);
      }
    }
  }
  return at;
}

int32_t sign_extend_24(uint32_t v) noexcept {
  return (v & 0x800000) != 0 ? static_cast<int32_t>(v) - 0x1000000 : static_cast<int32_t>(v);
}

int64_t floor_div(int64_t a, int64_t b) noexcept {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

uint8_t symbol_for(int32_t delta_ticks) noexcept {
  return (delta_ticks >= 0 && delta_ticks <= 0xFF) ? symbol_small_delta : symbol_large_delta;
}

}  // namespace

parse_result<rtcp_transport_feedback> rtcp_transport_feedback::parse(std::span<const uint8_t> packet) {
  const auto fb = parse_rtcp_feedback(packet, rtcp_type::rtp_feedback, rtcp_fmt::transport_feedback);
  if (!fb) return fb.error();
  const auto fci = fb->fci;
  if (fci.size() < fixed_fci_size) return parse_error::truncated;

  rtcp_transport_feedback t;
  t.sender_ssrc = fb->sender_ssrc;
  t.media_ssrc = fb->media_ssrc;
  t.base_sequence = read_u16(fci, 0);
  t.packet_status_count = read_u16(fci, 2);
  t.reference_time = sign_extend_24(read_u24(fci, 4));
  t.feedback_count = fci[7];

  // First pass sizes the delta area, so the second never reads past the buffer and the
  // vector grows only as far as delta bytes actually present allow.
  const auto chunks = fci.subspan(fixed_fci_size);
  size_t delta_bytes = 0;
  const auto used = walk_chunks(chunks, t.packet_status_count,
                                [&](uint8_t s) { delta_bytes += s == symbol_small_delta ? 1 : s == symbol_large_delta ? 2 : 0; });
  if (!used) return used.error();
  const auto deltas = chunks.subspan(*used);
  if (deltas.size() < delta_bytes) return parse_error::truncated;

  size_t at = 0;
  uint16_t seq = t.base_sequence;
  (void)walk_chunks(chunks, t.packet_status_count, [&](uint8_t s) {
    if (s == symbol_small_delta) {
      t.received.push_back({seq, deltas[at]});
      at += 1;
    } else if (s == symbol_large_delta) {
      t.received.push_back({seq, static_cast<int16_t>(read_u16(deltas, at))});
      at += 2;
    }
    ++seq;
  });
  return t;
}

rtcp_transport_feedback rtcp_transport_feedback::from_arrivals(uint32_t sender_ssrc, uint32_t media_ssrc,
                                                               uint8_t feedback_count,
                                                               std::span<const twcc_arrival> arrivals) {
  rtcp_transport_feedback t;
  t.sender_ssrc = sender_ssrc;
  t.media_ssrc = media_ssrc;
  t.feedback_count = feedback_count;
  if (arrivals.empty()) return t;

  t.base_sequence = arrivals.front().sequence;
  const int64_t reference = floor_div(arrivals.front().arrival_us, twcc_reference_time_unit_us);
  t.reference_time = sign_extend_24(static_cast<uint32_t>(reference) & 0xFFFFFF);
  // Deltas run against the rounded time already sent, so rounding errors never add up.
  int64_t previous_us = reference * twcc_reference_time_unit_us;
  size_t last_offset = 0;
  for (const auto& a : arrivals) {
    const auto offset = static_cast<uint16_t>(a.sequence - t.base_sequence);
    if (!t.received.empty() && (offset <= last_offset || offset == 0xFFFF)) break;  // out of order: next message
    const int64_t ticks = floor_div(a.arrival_us - previous_us + twcc_delta_unit_us / 2, twcc_delta_unit_us);
    if (ticks < INT16_MIN || ticks > INT16_MAX) break;
    t.received.push_back({a.sequence, static_cast<int32_t>(ticks)});
    previous_us += ticks * twcc_delta_unit_us;
    last_offset = offset;
  }
  t.packet_status_count = static_cast<uint16_t>(last_offset + 1);
  return t;
}

std::optional<size_t> rtcp_transport_feedback::write(std::span<uint8_t> out) const {
  // Statuses for every covered sequence, from the received list.
  std::vector<uint8_t> symbols(packet_status_count, symbol_not_received);
  size_t delta_bytes = 0;
  {
    size_t previous_offset = 0;
    for (size_t i = 0; i < received.size(); ++i) {
      const auto offset = static_cast<uint16_t>(received[i].sequence - base_sequence);
      if (offset >= packet_status_count || (i > 0 && offset <= previous_offset)) return std::nullopt;
      if (received[i].delta_ticks < INT16_MIN || received[i].delta_ticks > INT16_MAX) return std::nullopt;
      symbols[offset] = symbol_for(received[i].delta_ticks);
      delta_bytes += symbols[offset];
      previous_offset = offset;
    }
  }

  // Greedy chunking as libwebrtc does in spirit: long runs become run-length chunks,
  // the rest go into status vectors, 2-bit only when a large delta needs it.
  std::vector<uint16_t> chunks;
  for (size_t i = 0; i < symbols.size();) {
    size_t run = 1;
    while (i + run < symbols.size() && symbols[i + run] == symbols[i] && run < max_run_length) ++run;
    if (run >= one_bit_capacity || (run >= two_bit_capacity && i + run == symbols.size())) {
      chunks.push_back(static_cast<uint16_t>((symbols[i] << 13) | run));
      i += run;
      continue;
    }
    const size_t look = std::min(one_bit_capacity, symbols.size() - i);
    const bool needs_two_bits =
        std::any_of(symbols.begin() + static_cast<std::ptrdiff_t>(i),
                    symbols.begin() + static_cast<std::ptrdiff_t>(i + look), [](uint8_t s) { return s == symbol_large_delta; });
    uint16_t chunk = 0x8000;
    if (!needs_two_bits) {
      for (size_t k = 0; k < look; ++k) chunk = static_cast<uint16_t>(chunk | (symbols[i + k] << (13 - k)));
      i += look;
    } else {
      chunk |= 0x4000;
      const size_t take = std::min(two_bit_capacity, symbols.size() - i);
      for (size_t k = 0; k < take; ++k) chunk = static_cast<uint16_t>(chunk | (symbols[i + k] << (12 - 2 * k)));
      i += take;
    }
    chunks.push_back(chunk);
  }

  const size_t unpadded = rtcp_feedback_header_size + fixed_fci_size + 2 * chunks.size() + delta_bytes;
  const size_t n = (unpadded + 3) & ~size_t{3};
  if (n > 4 * 65536 || out.size() < n) return std::nullopt;

  write_rtcp_feedback_header(out, rtcp_fmt::transport_feedback, rtcp_type::rtp_feedback, n, sender_ssrc, media_ssrc);
  write_u16(out, 12, base_sequence);
  write_u16(out, 14, packet_status_count);
  write_u24(out, 16, static_cast<uint32_t>(reference_time) & 0xFFFFFF);
  out[19] = feedback_count;
  size_t at = 20;
  for (uint16_t c : chunks) {
    write_u16(out, at, c);
    at += 2;
  }
  for (const auto& p : received) {
    if (symbol_for(p.delta_ticks) == symbol_small_delta) {
      out[at++] = static_cast<uint8_t>(p.delta_ticks);
    } else {
      write_u16(out, at, static_cast<uint16_t>(static_cast<int16_t>(p.delta_ticks)));
      at += 2;
    }
  }
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(at), out.begin() + static_cast<std::ptrdiff_t>(n), uint8_t{0});
  return n;
}

}  // namespace parley::media
