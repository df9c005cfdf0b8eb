// libFuzzer target: RTP view, header extensions, in-place rewriting, rewriter and cache.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "media/retransmission_cache.hpp"
#include "media/rtp_packet.hpp"
#include "media/rtp_stream_rewriter.hpp"

using namespace parley::media;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> copy(data, data + size);
  (void)looks_like_rtp(copy);
  (void)looks_like_rtcp(copy);
  const auto view = rtp_packet_view::parse(std::span<const uint8_t>(copy));
  if (!view) return 0;
  for (size_t i = 0; i < view->csrc_count(); ++i) (void)view->csrc(i);
  size_t total = 0;
  for (unsigned id = 0; id < 256; ++id)
    if (const auto e = view->extension(static_cast<uint8_t>(id))) total += e->size();
  if (total > view->extension_block().size()) std::abort();
  if (view->header_size() + view->payload().size() + view->padding_size() != size) std::abort();

  auto packet = rtp_packet::parse(std::span<uint8_t>(copy));
  if (!packet) std::abort();  // the mutable view must agree with the read-only one
  const auto seq = packet->sequence();
  const auto ts = packet->timestamp();
  const auto ssrc = packet->ssrc();

  // Feed the packet through the forwarding path several times as if it came from
  // different layers and later in the stream: cache it, rewrite it, look it up. State is
  // per input so that any crash reproduces from its artifact alone.
  retransmission_cache cache(64, 1500);
  rtp_stream_rewriter rewriter(90000);
  for (uint32_t round = 0; round < 8; ++round) {
    const auto in_ssrc = ssrc + (round & 1);
    const auto in_seq = static_cast<uint16_t>(seq + round * 0x2001);
    const uint32_t in_ts = ts + round * 0x40000001u;
    if (round % 3 == 0) rewriter.switch_to(in_ssrc);
    const auto out = rewriter.rewrite(in_ssrc, in_seq, in_ts, round % 2 == 0 || packet->marker(), round * 33);
    if (!out) continue;
    packet->set_sequence(out->sequence);
    packet->set_timestamp(out->timestamp);
    packet->set_ssrc(0xCAFEBABE);
    packet->set_payload_type(static_cast<uint8_t>(in_ts & 0x7F));
    packet->set_marker(false);
    const auto again = rtp_packet_view::parse(std::span<const uint8_t>(copy));
    if (!again || again->sequence() != out->sequence || again->ssrc() != 0xCAFEBABE ||
        again->payload().size() != view->payload().size())
      std::abort();
    if (cache.store(out->sequence, copy)) {
      const auto hit = cache.find(out->sequence);
      if (!hit || hit->size() != copy.size()) std::abort();
    }
  }
  return 0;
}
