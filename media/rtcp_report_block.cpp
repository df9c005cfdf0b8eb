// Reception report block encoding.
#include "media/rtcp_report_block.hpp"

#include <algorithm>

#include "media/byte_io.hpp"

namespace parley::media {

rtcp_report_block rtcp_report_block::parse(std::span<const uint8_t> in) noexcept {
  rtcp_report_block b;
  b.ssrc = read_u32(in, 0);
  b.fraction_lost = in[4];
  const uint32_t lost = read_u24(in, 5);
  b.cumulative_lost = (lost & 0x800000) != 0 ? static_cast<int32_t>(lost) - 0x1000000 : static_cast<int32_t>(lost);
  b.highest_sequence = read_u32(in, 8);
  b.jitter = read_u32(in, 12);
  b.last_sr = read_u32(in, 16);
  b.delay_since_last_sr = read_u32(in, 20);
  return b;
}

void rtcp_report_block::write(std::span<uint8_t> out) const noexcept {
  write_u32(out, 0, ssrc);
  out[4] = fraction_lost;
  // Clamp to what 24 signed bits hold rather than wrap into a wrong sign.
  const int32_t lost = std::clamp(cumulative_lost, -0x800000, 0x7FFFFF);
  write_u24(out, 5, static_cast<uint32_t>(lost) & 0xFFFFFF);
  write_u32(out, 8, highest_sequence);
  write_u32(out, 12, jitter);
  write_u32(out, 16, last_sr);
  write_u32(out, 20, delay_since_last_sr);
}

}  // namespace parley::media
