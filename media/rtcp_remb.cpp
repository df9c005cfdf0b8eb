// REMB encoding.
#include "media/rtcp_remb.hpp"

#include "media/byte_io.hpp"
#include "media/rtcp_header.hpp"

namespace parley::media {
namespace {
constexpr uint32_t remb_identifier = 0x52454D42;  // "REMB"
constexpr uint64_t max_mantissa = (1u << 18) - 1;
}  // namespace

parse_result<rtcp_remb> rtcp_remb::parse(std::span<const uint8_t> packet) {
  const auto fb = parse_rtcp_feedback(packet, rtcp_type::payload_feedback, rtcp_fmt::application_layer);
  if (!fb) return fb.error();
  const auto fci = fb->fci;
  if (fci.size() < 8) return parse_error::truncated;
  if (read_u32(fci, 0) != remb_identifier) return parse_error::bad_type;
  const size_t count = fci[4];
  if (fci.size() < 8 + 4 * count) return parse_error::truncated;
  rtcp_remb remb;
  remb.sender_ssrc = fb->sender_ssrc;
  const unsigned exponent = fci[5] >> 2;
  const uint64_t mantissa = read_u24(fci, 5) & 0x3FFFF;
  // A 6-bit exponent can shift past 64 bits; saturate rather than invoke UB.
  remb.bitrate_bps = (exponent > 46 && mantissa != 0) ? UINT64_MAX : mantissa << exponent;
  remb.ssrcs.reserve(count);
  for (size_t i = 0; i < count; ++i) remb.ssrcs.push_back(read_u32(fci, 8 + 4 * i));
  return remb;
}

std::optional<size_t> rtcp_remb::write(std::span<uint8_t> out) const noexcept {
  return write_to(sender_ssrc, bitrate_bps, ssrcs, out);
}

std::optional<size_t> rtcp_remb::write_to(uint32_t sender_ssrc, uint64_t bitrate_bps, std::span<const uint32_t> ssrcs,
                                          std::span<uint8_t> out) noexcept {
  const size_t n = 20 + 4 * ssrcs.size();
  if (ssrcs.size() > 255 || out.size() < n) return std::nullopt;
  write_rtcp_feedback_header(out, rtcp_fmt::application_layer, rtcp_type::payload_feedback, n, sender_ssrc, 0);
  write_u32(out, 12, remb_identifier);
  unsigned exponent = 0;
  uint64_t mantissa = bitrate_bps;
  while (mantissa > max_mantissa) {
    mantissa >>= 1;
    ++exponent;
  }
  out[16] = static_cast<uint8_t>(ssrcs.size());
  write_u24(out, 17, (static_cast<uint32_t>(exponent) << 18) | static_cast<uint32_t>(mantissa));
  for (size_t i = 0; i < ssrcs.size(); ++i) write_u32(out, 20 + 4 * i, ssrcs[i]);
  return n;
}

}  // namespace parley::media
