// RTCP sender report encoding.
#include "media/rtcp_sender_report.hpp"

#include "media/byte_io.hpp"
#include "media/rtcp_header.hpp"

namespace parley::media {
namespace {
constexpr size_t sender_info_size = 24;  // SSRC + NTP + RTP ts + counts
constexpr size_t max_report_blocks = 31;
}  // namespace

parse_result<rtcp_sender_report> rtcp_sender_report::parse(std::span<const uint8_t> packet) {
  const auto h = parse_rtcp_header(packet);
  if (!h) return h.error();
  if (h->packet_type != rtcp_type::sender_report) return parse_error::bad_type;
  if (h->body.size() < sender_info_size + h->count * rtcp_report_block_size) return parse_error::truncated;
  rtcp_sender_report sr;
  sr.ssrc = read_u32(h->body, 0);
  sr.ntp_timestamp = read_u64(h->body, 4);
  sr.rtp_timestamp = read_u32(h->body, 12);
  sr.packet_count = read_u32(h->body, 16);
  sr.octet_count = read_u32(h->body, 20);
  sr.reports.reserve(h->count);
  for (size_t i = 0; i < h->count; ++i)
    sr.reports.push_back(rtcp_report_block::parse(h->body.subspan(sender_info_size + i * rtcp_report_block_size)));
  return sr;
}

size_t rtcp_sender_report::size() const noexcept {
  return rtcp_header_size + sender_info_size + reports.size() * rtcp_report_block_size;
}

std::optional<size_t> rtcp_sender_report::write(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (reports.size() > max_report_blocks || out.size() < n) return std::nullopt;
  write_rtcp_header(out, static_cast<uint8_t>(reports.size()), rtcp_type::sender_report, n);
  write_u32(out, 4, ssrc);
  write_u64(out, 8, ntp_timestamp);
  write_u32(out, 16, rtp_timestamp);
  write_u32(out, 20, packet_count);
  write_u32(out, 24, octet_count);
  for (size_t i = 0; i < reports.size(); ++i) reports[i].write(out.subspan(28 + i * rtcp_report_block_size));
  return n;
}

}  // namespace parley::media
