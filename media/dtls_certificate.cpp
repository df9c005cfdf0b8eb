// Generates the process's self-signed DTLS certificate and formats/parses SDP fingerprints.
#include "media/dtls_certificate.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cctype>

namespace parley::media {

void dtls_certificate::cert_deleter::operator()(X509* p) const noexcept { X509_free(p); }
void dtls_certificate::key_deleter::operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }

std::optional<sha256_digest> certificate_sha256(X509* cert) noexcept {
  if (cert == nullptr) return std::nullopt;
  sha256_digest d{};
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), d.data(), &n) != 1 || n != d.size()) return std::nullopt;
  return d;
}

std::string format_fingerprint(const sha256_digest& digest) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = "sha-256 ";
  out.reserve(8 + digest.size() * 3);
  for (size_t i = 0; i < digest.size(); ++i) {
    if (i != 0) out.push_back(':');
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0xF]);
  }
  return out;
}

std::optional<sha256_digest> parse_fingerprint(std::string_view v) noexcept {
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\r' || v.back() == '\n')) v.remove_suffix(1);
  constexpr std::string_view algo = "sha-256";
  if (v.size() < algo.size() + 1) return std::nullopt;
  for (size_t i = 0; i < algo.size(); ++i)
    if (lower(v[i]) != algo[i]) return std::nullopt;
  v.remove_prefix(algo.size());
  if (v.front() != ' ') return std::nullopt;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (v.size() != 32 * 3 - 1) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  sha256_digest d{};
  for (size_t i = 0; i < d.size(); ++i) {
    const size_t at = i * 3;
    if (i != 0 && v[at - 1] != ':') return std::nullopt;
    const int hi = nibble(v[at]);
    const int lo = nibble(v[at + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return d;
}

std::optional<dtls_certificate> dtls_certificate::generate(std::string_view common_name) {
  dtls_certificate c;
  c.key_.reset(EVP_EC_gen("P-256"));
  if (!c.key_) return std::nullopt;
  c.cert_.reset(X509_new());
  if (!c.cert_) return std::nullopt;
  X509* x = c.cert_.get();

  // A random serial keeps two processes' certificates distinct even with the same name.
  uint8_t serial_bytes[8];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return std::nullopt;
  serial_bytes[0] &= 0x7F;  // positive
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  const bool serial_ok = serial != nullptr && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) != nullptr;
  BN_free(serial);
  if (!serial_ok) return std::nullopt;

  // Backdated a day so peers with a slightly slow clock do not reject it; the fingerprint,
  // not the validity period, is what authenticates it.
  const std::string cn(common_name);
  X509_NAME* name = X509_get_subject_name(x);
  if (X509_set_version(x, 2) != 1 || X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600) == nullptr ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, c.key_.get()) != 1 ||
      X509_sign(x, c.key_.get(), EVP_sha256()) == 0)
    return std::nullopt;

  const auto digest = certificate_sha256(x);
  if (!digest) return std::nullopt;
  c.digest_ = *digest;
  c.fingerprint_ = format_fingerprint(*digest);
  return c;
}

}  // namespace parley::media
