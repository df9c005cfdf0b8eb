// AES-256-GCM sealing of a byte string with a random 96-bit nonce (OpenSSL EVP).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::storage {

inline constexpr size_t aes_key_size = 32;
inline constexpr size_t gcm_nonce_size = 12;
inline constexpr size_t gcm_tag_size = 16;

/// nonce | ciphertext | tag. `aad` is authenticated, not stored.
std::string aes_gcm_seal(std::string_view key, std::string_view plaintext, std::string_view aad);
/// Nullopt if the bytes were altered, the key is wrong or the input is too short.
std::optional<std::string> aes_gcm_open(std::string_view key, std::string_view sealed, std::string_view aad);

} // namespace parley::storage
