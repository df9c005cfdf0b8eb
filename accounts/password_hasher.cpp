// libsodium's crypto_pwhash with the Argon2id13 algorithm.
#include "accounts/password_hasher.hpp"

#include <mutex>
#include <stdexcept>

#include <sodium.h>

namespace parley::accounts {

void initialize_crypto() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0)
      throw std::runtime_error("libsodium failed to initialise");
  });
}

password_hasher::password_hasher(argon2_cost cost) : cost_(cost) {
  initialize_crypto();
}

std::optional<std::string> password_hasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost_.ops, cost_.mem_kib * 1024,
                            crypto_pwhash_ALG_ARGON2ID13)
      != 0)
    return std::nullopt;
  return std::string{out};
}

bool password_hasher::verify(std::string_view stored_hash, std::string_view password) const {
  if (stored_hash.empty() || stored_hash.size() >= crypto_pwhash_STRBYTES)
    return false;
  std::string terminated{stored_hash};
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool password_hasher::needs_rehash(std::string_view stored_hash) const {
  std::string terminated{stored_hash};
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), cost_.ops, cost_.mem_kib * 1024) != 0;
}

} // namespace parley::accounts
