// The OpenSSL configuration shared by a worker's DTLS transports: certificate, DTLS 1.2, SRTP profiles.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "media/dtls_certificate.hpp"
#include "media/srtp_profile.hpp"

using SSL_CTX = struct ssl_ctx_st;

namespace parley::media {

// Server preference: strongest first. With OpenSSL as DTLS server this order, not the
// client's, decides among the profiles the client offers (tls_parse_ctos_use_srtp only
// replaces its pick with one ranked higher in the server's list). Chromium offers
// AEAD_AES_128_GCM then AES_CM_128_HMAC_SHA1_80, so browsers end up on 128-bit GCM.
inline constexpr std::array<srtp_profile, 3> default_srtp_preference = {
    srtp_profile::aead_aes_256_gcm, srtp_profile::aead_aes_128_gcm, srtp_profile::aes_cm_128_hmac_sha1_80};

// "SRTP_AEAD_AES_256_GCM:..." in the given order, for SSL_(CTX_)set_tlsext_use_srtp.
[[nodiscard]] std::string openssl_srtp_profile_list(std::span<const srtp_profile> profiles);

// One SSL_CTX per worker (creating one per transport would redo cipher-list parsing and
// key checks for every client). Immutable once built, so transports only read it.
class dtls_context {
 public:
  [[nodiscard]] static std::unique_ptr<dtls_context> create(
      const dtls_certificate& certificate, std::span<const srtp_profile> srtp_preference = default_srtp_preference);

  ~dtls_context();
  dtls_context(const dtls_context&) = delete;
  dtls_context& operator=(const dtls_context&) = delete;

  [[nodiscard]] SSL_CTX* native() const noexcept { return ctx_; }
  // Our a=fingerprint value. The SSL_CTX holds its own references to the certificate and
  // key, so the dtls_certificate need not outlive the context.
  [[nodiscard]] const std::string& local_fingerprint() const noexcept { return fingerprint_; }

 private:
  dtls_context(SSL_CTX* ctx, std::string fingerprint) noexcept : ctx_(ctx), fingerprint_(std::move(fingerprint)) {}

  SSL_CTX* ctx_;
  std::string fingerprint_;
};

}  // namespace parley::media
