// The node's DTLS identity: an ECDSA P-256 self-signed certificate and its SDP fingerprint.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

using X509 = struct x509_st;
using EVP_PKEY = struct evp_pkey_st;

namespace parley::media {

using sha256_digest = std::array<uint8_t, 32>;

// WebRTC authenticates DTLS by the certificate's hash in SDP, not by a CA, so a fresh
// self-signed certificate per process is all a peer needs (RFC 8827 §6.5).
class dtls_certificate {
 public:
  // Nullopt only if OpenSSL fails (out of memory, broken provider).
  [[nodiscard]] static std::optional<dtls_certificate> generate(std::string_view common_name = "parley");

  [[nodiscard]] X509* certificate() const noexcept { return cert_.get(); }
  [[nodiscard]] EVP_PKEY* private_key() const noexcept { return key_.get(); }
  [[nodiscard]] const sha256_digest& digest() const noexcept { return digest_; }
  // "sha-256 AB:CD:..." as it goes after "a=fingerprint:".
  [[nodiscard]] const std::string& fingerprint() const noexcept { return fingerprint_; }

 private:
  struct cert_deleter {
    void operator()(X509* p) const noexcept;
  };
  struct key_deleter {
    void operator()(EVP_PKEY* p) const noexcept;
  };

  dtls_certificate() = default;

  std::unique_ptr<X509, cert_deleter> cert_;
  std::unique_ptr<EVP_PKEY, key_deleter> key_;
  sha256_digest digest_{};
  std::string fingerprint_;
};

// SHA-256 over the DER encoding, as RFC 8122 defines the fingerprint.
[[nodiscard]] std::optional<sha256_digest> certificate_sha256(X509* cert) noexcept;

// "sha-256 AB:CD:..." for a digest.
[[nodiscard]] std::string format_fingerprint(const sha256_digest& digest);

// Parses an a=fingerprint value. Only sha-256 is accepted: every browser sends it, and
// accepting weaker hashes would let a peer pick the weakest one. Case-insensitive.
[[nodiscard]] std::optional<sha256_digest> parse_fingerprint(std::string_view value) noexcept;

}  // namespace parley::media
