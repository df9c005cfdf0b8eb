// Builds the shared SSL_CTX for DTLS-SRTP: DTLS 1.2 only, ECDHE AEAD ciphers, use_srtp.
#include "media/dtls_context.hpp"

#include <openssl/ssl.h>

namespace parley::media {

std::string openssl_srtp_profile_list(std::span<const srtp_profile> profiles) {
  std::string out;
  for (const auto p : profiles) {
    if (!out.empty()) out.push_back(':');
    out += openssl_name(p);
  }
  return out;
}

std::unique_ptr<dtls_context> dtls_context::create(const dtls_certificate& certificate,
                                                   std::span<const srtp_profile> srtp_preference) {
  SSL_CTX* ctx = SSL_CTX_new(DTLS_method());
  if (ctx == nullptr) return nullptr;
  auto fail = [ctx]() -> std::unique_ptr<dtls_context> {
    SSL_CTX_free(ctx);
    return nullptr;
  };
  // DTLS 1.0 is deprecated for WebRTC (RFC 8827 §6.5 asks for 1.2); every browser speaks 1.2.
  if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) != 1)
    return fail();
  if (SSL_CTX_use_certificate(ctx, certificate.certificate()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, certificate.private_key()) != 1 || SSL_CTX_check_private_key(ctx) != 1)
    return fail();
  // Our certificate is ECDSA; the RSA suites are there for peers using RSA certificates,
  // which matter only when we are the client.
  if (SSL_CTX_set_cipher_list(ctx,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305") != 1)
    return fail();
  // Inverted convention: SSL_CTX_set_tlsext_use_srtp returns 0 on success.
  if (SSL_CTX_set_tlsext_use_srtp(ctx, openssl_srtp_profile_list(srtp_preference).c_str()) != 0) return fail();
  // No path MTU discovery through a memory BIO: the transport sets the MTU itself.
  // Sessions are never resumed (every WebRTC session has a fresh fingerprint check).
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_read_ahead(ctx, 1);
  return std::unique_ptr<dtls_context>(new dtls_context(ctx, certificate.fingerprint()));
}

dtls_context::~dtls_context() { SSL_CTX_free(ctx_); }

}  // namespace parley::media
