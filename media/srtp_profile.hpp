// The DTLS-SRTP protection profiles Parley negotiates, with their key and salt sizes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace parley::media {

// Values are the IANA DTLS-SRTP profile ids (RFC 5764 §4.1.2, RFC 7714 §14.2), so they
// can be compared with what OpenSSL reports without a table.
enum class srtp_profile : uint16_t {
  aes_cm_128_hmac_sha1_80 = 0x0001,
  aead_aes_128_gcm = 0x0007,
  aead_aes_256_gcm = 0x0008,
};

[[nodiscard]] constexpr std::string_view to_string(srtp_profile p) noexcept {
  switch (p) {
    case srtp_profile::aes_cm_128_hmac_sha1_80: return "AES_CM_128_HMAC_SHA1_80";
    case srtp_profile::aead_aes_128_gcm: return "AEAD_AES_128_GCM";
    case srtp_profile::aead_aes_256_gcm: return "AEAD_AES_256_GCM";
  }
  return "unknown";
}

// OpenSSL's names, for SSL_CTX_set_tlsext_use_srtp lists.
[[nodiscard]] constexpr std::string_view openssl_name(srtp_profile p) noexcept {
  switch (p) {
    case srtp_profile::aes_cm_128_hmac_sha1_80: return "SRTP_AES128_CM_SHA1_80";
    case srtp_profile::aead_aes_128_gcm: return "SRTP_AEAD_AES_128_GCM";
    case srtp_profile::aead_aes_256_gcm: return "SRTP_AEAD_AES_256_GCM";
  }
  return "";
}

[[nodiscard]] constexpr std::optional<srtp_profile> srtp_profile_from_id(unsigned long id) noexcept {
  switch (id) {
    case 0x0001: return srtp_profile::aes_cm_128_hmac_sha1_80;
    case 0x0007: return srtp_profile::aead_aes_128_gcm;
    case 0x0008: return srtp_profile::aead_aes_256_gcm;
    default: return std::nullopt;
  }
}

// Master key length in bytes (RFC 5764 §4.1.2, RFC 7714 §12).
[[nodiscard]] constexpr size_t srtp_key_length(srtp_profile p) noexcept {
  return p == srtp_profile::aead_aes_256_gcm ? 32 : 16;
}

// Master salt length: 112 bits for AES-CM, 96 bits for the AEAD profiles.
[[nodiscard]] constexpr size_t srtp_salt_length(srtp_profile p) noexcept {
  return p == srtp_profile::aes_cm_128_hmac_sha1_80 ? 14 : 12;
}

[[nodiscard]] constexpr size_t srtp_master_length(srtp_profile p) noexcept {
  return srtp_key_length(p) + srtp_salt_length(p);
}

constexpr size_t srtp_max_master_length = 32 + 12;

}  // namespace parley::media
