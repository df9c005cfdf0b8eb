// EVP AES-256-GCM. The cipher is fetched from the provider once, and each thread reuses one
// context (re-initialised with the key and nonce of every call), so sealing or opening a small
// record costs the AES work rather than a provider lookup and an allocation.
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

const EVP_CIPHER* aes_256_gcm() {
  static const EVP_CIPHER* const cipher = [] {
    const EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return fetched ? fetched : EVP_aes_256_gcm();
  }();
  return cipher;
}

/// This thread's context; null only if OpenSSL cannot allocate one.
EVP_CIPHER_CTX* thread_context() {
  thread_local cipher_ctx ctx{EVP_CIPHER_CTX_new()};
  return ctx.get();
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

} // namespace

std::string aes_gcm_seal(std::string_view key, std::string_view plaintext, std::string_view aad) {
  std::string out(gcm_nonce_size + plaintext.size() + gcm_tag_size, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (key.size() != aes_key_size || RAND_bytes(p, gcm_nonce_size) != 1)
    throw std::runtime_error("aes_gcm_seal: bad key or no randomness");
  auto* ctx = thread_context();
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx, aes_256_gcm(), nullptr, bytes(key), p) != 1
      || (!aad.empty() && EVP_EncryptUpdate(ctx, nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1)
      || EVP_EncryptUpdate(ctx, p + gcm_nonce_size, &len, bytes(plaintext), static_cast<int>(plaintext.size())) != 1
      || EVP_EncryptFinal_ex(ctx, p + gcm_nonce_size + len, &len) != 1
      || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, gcm_tag_size, p + gcm_nonce_size + plaintext.size()) != 1)
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
  auto* ctx = thread_context();
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx, aes_256_gcm(), nullptr, bytes(key), bytes(sealed)) != 1
      || (!aad.empty() && EVP_DecryptUpdate(ctx, nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1)
      || EVP_DecryptUpdate(ctx, o, &len, bytes(sealed) + gcm_nonce_size, static_cast<int>(body)) != 1
      || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, gcm_tag_size, tag.data()) != 1
      || EVP_DecryptFinal_ex(ctx, o + len, &len) != 1)
    return std::nullopt;
  return out;
}

} // namespace parley::storage
