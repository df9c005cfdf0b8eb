// Token generation and hashing with libsodium's CSPRNG and SHA-256.
#include "accounts/access_token.hpp"

#include <cstdint>

#include <sodium.h>

#include "accounts/password_hasher.hpp"

namespace parley::accounts {

std::string generate_token() {
  initialize_crypto();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  return std::string{text};
}

std::string token_digest(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return std::string{reinterpret_cast<const char*>(digest), sizeof digest};
}

bool looks_like_token(std::string_view token) noexcept {
  if (token.size() != 43)
    return false;
  for (char c : token)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

uint64_t random_id() {
  initialize_crypto();
  uint64_t id = 0;
  while (id == 0)
    randombytes_buf(&id, sizeof id);
  return id;
}

std::string id_to_hex(uint64_t id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, id >>= 4)
    out[static_cast<size_t>(i)] = digits[id & 0xf];
  return out;
}

bool id_from_hex(std::string_view text, uint64_t& id) noexcept {
  if (text.size() != 16)
    return false;
  uint64_t v = 0;
  for (char c : text) {
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= static_cast<uint64_t>(c - 'a' + 10);
    else
      return false;
  }
  id = v;
  return true;
}

} // namespace parley::accounts
