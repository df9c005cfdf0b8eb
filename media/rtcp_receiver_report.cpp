// RTCP receiver report encoding.
#include "media/rtcp_receiver_report.hpp"

#include "media/byte_io.hpp"
#include "media/rtcp_header.hpp"

namespace parley::media {
namespace {
constexpr size_t max_report_blocks = 31;
}

parse_result<rtcp_receiver_report> rtcp_receiver_report::parse(std::span<const uint8_t> packet) {
  const auto h = parse_rtcp_header(packet);
  if (!h) return h.error();
  if (h->packet_type != rtcp_type::receiver_report) return parse_error::bad_type;
  if (h->body.size() < 4 + h->count * rtcp_report_block_size) return parse_error::truncated;
  rtcp_receiver_report rr;
  rr.ssrc = read_u32(h->body, 0);
  rr.reports.reserve(h->count);
  for (size_t i = 0; i < h->count; ++i)
    rr.reports.push_back(rtcp_report_block::parse(h->body.subspan(4 + i * rtcp_report_block_size)));
  return rr;
}

size_t rtcp_receiver_report::size() const noexcept {
  return rtcp_header_size + 4 + reports.size() * rtcp_report_block_size;
}

std::optional<size_t> rtcp_receiver_report::write(std::span<uint8_t> out) const noexcept {
  const size_t n = size();
  if (reports.size() > max_report_blocks || out.size() < n) return std::nullopt;
  write_rtcp_header(out, static_cast<uint8_t>(reports.size()), rtcp_type::receiver_report, n);
  write_u32(out, 4, ssrc);
  for (size_t i = 0; i < reports.size(); ++i) reports[i].write(out.subspan(8 + i * rtcp_report_block_size));
  return n;
}

}  // namespace parley::media
