// libFuzzer target: SRTP/SRTCP unprotect of arbitrary datagrams for every profile, and a
// protect -> unprotect round trip that must give the packet back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "media/srtp_session.hpp"

using namespace parley::media;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  for (const auto profile : {srtp_profile::aes_cm_128_hmac_sha1_80, srtp_profile::aead_aes_128_gcm,
                             srtp_profile::aead_aes_256_gcm}) {
    std::vector<uint8_t> key(srtp_master_length(profile), 0x5A);
    auto in = srtp_session::create(srtp_session::direction::inbound, profile, key);
    auto out = srtp_session::create(srtp_session::direction::outbound, profile, key);
    if (!in || !out) std::abort();
    for (const bool rtcp : {false, true}) {
      // Arbitrary bytes as if they came off the wire: refused or shorter, never a crash.
      std::vector<uint8_t> buffer(data, data + size);
      size_t length = size;
      const auto s = rtcp ? in->unprotect_rtcp(buffer, length) : in->unprotect_rtp(buffer, length);
      if (s == srtp_status::ok && length > size) std::abort();

      // The same bytes protected and unprotected again come back unchanged.
      std::vector<uint8_t> plain(data, data + size);
      std::vector<uint8_t> wire(plain);
      wire.resize(size + srtp_session::max_overhead);
      length = size;
      const auto p = rtcp ? out->protect_rtcp(wire, length) : out->protect_rtp(wire, length);
      if (p != srtp_status::ok) continue;
      auto receiver = srtp_session::create(srtp_session::direction::inbound, profile, key);
      if (!receiver) std::abort();
      const auto u = rtcp ? receiver->unprotect_rtcp(wire, length) : receiver->unprotect_rtp(wire, length);
      if (u != srtp_status::ok || length != size || !std::equal(plain.begin(), plain.end(), wire.begin()))
        std::abort();
    }
  }
  return 0;
}
