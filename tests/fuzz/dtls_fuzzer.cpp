// libFuzzer target: arbitrary datagrams into a server-role DTLS transport and the ICE-lite agent.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "media/dtls_certificate.hpp"
#include "media/dtls_context.hpp"
#include "media/dtls_transport.hpp"
#include "media/ice_lite_agent.hpp"

using namespace parley::media;

namespace {

struct sink final : dtls_transport::listener {
  void on_dtls_send(std::span<const uint8_t>) override {}
  void on_dtls_connected(const srtp_keying_material&) override {}
  void on_dtls_closed(dtls_close_reason) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The certificate is costly to make; one per process is what the server does too.
  static const auto certificate = dtls_certificate::generate();
  static const auto context = dtls_context::create(*certificate);
  static const auto peer = dtls_certificate::generate("peer");

  // The input is a sequence of datagrams, each prefixed by a one-byte length, so the
  // fuzzer can reach states beyond the first ClientHello.
  sink events;
  auto t = dtls_transport::create(*context, dtls_role::server, events);
  if (!t) return 0;
  t->set_remote_fingerprint(peer->digest());
  std::span<const uint8_t> in(data, size);
  while (!in.empty()) {
    const size_t n = std::min<size_t>(in[0], in.size() - 1);
    const auto datagram = in.subspan(1, n);
    t->feed(datagram);
    (void)t->next_timeout();
    in = in.subspan(1 + n);
  }

  // The same bytes as a connectivity check must never crash the agent.
  ice_lite_agent agent("fuzz", "fuzz-password-0123456789");
  if (const auto msg = stun_message::parse({data, size})) {
    uint8_t response[256];
    (void)agent.handle(*msg, stun_address{}, ice_lite_agent::clock::time_point{}, response);
  }
  return 0;
}
