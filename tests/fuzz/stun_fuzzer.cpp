// libFuzzer target: STUN parsing, attribute accessors, integrity and fingerprint checks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "media/stun_message.hpp"

using namespace parley::media;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  (void)looks_like_stun(in);
  const auto msg = stun_message::parse(in);
  if (!msg) return 0;
  (void)msg->method();
  (void)msg->message_class();
  (void)msg->username();
  (void)msg->software();
  (void)msg->priority();
  (void)msg->use_candidate();
  (void)msg->ice_controlling();
  (void)msg->ice_controlled();
  (void)msg->error_code();
  (void)msg->attribute(0x1234);
  static constexpr uint8_t key[] = {'V', 'O', 'k', 'J', 'x', 'b', 'R', 'l'};
  (void)msg->verify_message_integrity(key);
  (void)msg->verify_fingerprint();

  // Whatever address a request carries, our response to it must parse and verify.
  stun_address mapped;
  if (const auto a = msg->xor_mapped_address()) mapped = *a;
  uint8_t out[128];
  const auto n = write_binding_success(out, msg->transaction_id(), mapped, key);
  if (!n) std::abort();
  const auto reply = stun_message::parse(std::span<const uint8_t>(out, *n));
  if (!reply || !reply->verify_message_integrity(key) || !reply->verify_fingerprint() ||
      reply->xor_mapped_address() != mapped)
    std::abort();
  return 0;
}
