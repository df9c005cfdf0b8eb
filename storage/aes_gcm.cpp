// EVP AES-256-GCM: one context per call.
#include "storage/aes_gcm.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace parley::storage {

namespace {

struct ctx_deleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, ctx_deleter>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

} // namespace

std::string aes_gcm_seal(std::string_view key, std::string_view plaintext, std::string_view aad) {
  std::string out(gcm_nonce_size + plaintext.size() + gcm_tag_size, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (key.size() != aes_key_size || RAND_bytes(p, gcm_nonce_size) != 1)
    throw std::runtime_error("aes_gcm_seal: bad key or no randomness");
  cipher_ctx ctx{EVP_CIPHER_CTX_new()};
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), p) != 1
      || (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1)
      || EVP_EncryptUpdate(ctx.get(), p + gcm_nonce_size, &len, bytes(plaintext), static_cast<int>(plaintext.size())) != 1
      || EVP_EncryptFinal_ex(ctx.get(), p + gcm_nonce_size + len, &len) != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, gcm_tag_size, p + gcm_nonce_size + plaintext.size()) != 1)
    throw std::runtime_error("aes_gcm_seal: encryption failed");
  return out;
}

std::optional<std::string> aes_gcm_open(std::string_view key, std::string_view sealed, std::string_view aad) {
  if (key.size() != aes_key_size || sealed.size() < gcm_nonce_size + gcm_tag_size)
    return std::nullopt;
  const auto body = sealed.size() - gcm_nonce_size - gcm_tag_size;
  std::string out(body, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  std::string tag{sealed.substr(gcm_nonce_size + body)};
  cipher_ctx ctx{EVP_CIPHER_CTX_new()};
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(sealed)) != 1
      || (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1)
      || EVP_DecryptUpdate(ctx.get(), o, &len, bytes(sealed) + gcm_nonce_size, static_cast<int>(body)) != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, gcm_tag_size, tag.data()) != 1
      || EVP_DecryptFinal_ex(ctx.get(), o + len, &len) != 1)
    return std::nullopt;
  return out;
}

} // namespace parley::storage
