// Argon2id password hashes (libsodium), in the self-describing PHC string format.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::accounts {

struct argon2_cost {
  size_t ops = 2;
  size_t mem_kib = 19 * 1024; // OWASP's minimum for Argon2id with one pass pair: m=19 MiB, t=2, p=1
};

class password_hasher {
public:
  explicit password_hasher(argon2_cost cost);

  /// Nullopt only when memory for the hash could not be had.
  std::optional<std::string> hash(std::string_view password) const;

  /// Constant-time verification against a stored hash; false for malformed hashes.
  bool verify(std::string_view stored_hash, std::string_view password) const;

  /// True if `stored_hash` was made with other parameters and should be replaced on next sign-in.
  bool needs_rehash(std::string_view stored_hash) const;

private:
  argon2_cost cost_;
};

/// Must run once before any libsodium use; safe to call repeatedly.
void initialize_crypto();

} // namespace parley::accounts
