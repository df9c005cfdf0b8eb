// libFuzzer target: compound RTCP and every packet parser; what parses must write back
// and parse to the same value.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "media/rtcp_bye.hpp"
#include "media/rtcp_compound.hpp"
#include "media/rtcp_fir.hpp"
#include "media/rtcp_nack.hpp"
#include "media/rtcp_pli.hpp"
#include "media/rtcp_receiver_report.hpp"
#include "media/rtcp_remb.hpp"
#include "media/rtcp_sdes.hpp"
#include "media/rtcp_sender_report.hpp"
#include "media/rtcp_transport_feedback.hpp"

using namespace parley::media;

namespace {

std::array<uint8_t, 1 << 18> scratch;

template <typename Packet>
void round_trip(std::span<const uint8_t> bytes) {
  const auto parsed = Packet::parse(bytes);
  if (!parsed) return;
  const auto n = parsed->write(scratch);
  if (!n) std::abort();
  const auto again = Packet::parse(std::span<const uint8_t>(scratch).first(*n));
  if (!again || !(*again == *parsed)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  (void)validate_rtcp_compound(in);
  rtcp_compound compound(in);
  while (const auto p = compound.next()) {
    round_trip<rtcp_sender_report>(p->bytes);
    round_trip<rtcp_receiver_report>(p->bytes);
    round_trip<rtcp_bye>(p->bytes);
    round_trip<rtcp_pli>(p->bytes);
    round_trip<rtcp_fir>(p->bytes);
    round_trip<rtcp_transport_feedback>(p->bytes);
    if (const auto nack = rtcp_nack::parse(p->bytes)) {
      round_trip<rtcp_nack>(p->bytes);
      const auto rebuilt = rtcp_nack::from_sequences(nack->sender_ssrc, nack->media_ssrc, nack->sequences());
      if (rebuilt.sequences().size() > nack->sequences().size()) std::abort();
    }
    if (const auto sdes = rtcp_sdes::parse(p->bytes)) {
      for (const auto& c : sdes->chunks) (void)sdes->cname(c.ssrc);
    }
    if (const auto remb = rtcp_remb::parse(p->bytes)) {
      const auto n = remb->write(scratch);
      if (!n) std::abort();
      const auto again = rtcp_remb::parse(std::span<const uint8_t>(scratch).first(*n));
      if (!again || again->ssrcs != remb->ssrcs) std::abort();
      // Any value the wire format can express (short of saturation) survives exactly.
      if (remb->bitrate_bps != UINT64_MAX && again->bitrate_bps != remb->bitrate_bps) std::abort();
    }
    if (const auto t = rtcp_transport_feedback::parse(p->bytes)) {
      int64_t last = 0;
      t->for_each_receive_time([&](uint16_t, int64_t us) { last = us; });
      (void)last;
    }
  }
  return 0;
}
