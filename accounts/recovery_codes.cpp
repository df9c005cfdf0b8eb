// Codes carry about 50 random bits, so a fast digest suffices: guessing one is as hard as the digest.
#include "accounts/recovery_codes.hpp"

#include <sodium.h>

#include "accounts/access_token.hpp"
#include "accounts/password_hasher.hpp"

namespace parley::accounts {

namespace {

// 31 symbols without look-alikes (no i, l, o, 0, 1): 10 of them carry about 49.5 bits.
constexpr std::string_view alphabet = "abcdefghjkmnpqrstuvwxyz23456789";

std::string normalise(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ')
      continue;
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

} // namespace

std::vector<std::string> generate_recovery_codes(size_t count) {
  initialize_crypto();
  std::vector<std::string> codes;
  for (size_t i = 0; i < count; ++i) {
    std::string code;
    for (int j = 0; j < 10; ++j) {
      if (j == 5)
        code.push_back('-');
      code.push_back(alphabet[randombytes_uniform(static_cast<uint32_t>(alphabet.size()))]);
    }
    codes.push_back(std::move(code));
  }
  return codes;
}

std::string recovery_code_digest(std::string_view code) {
  return token_digest(normalise(code));
}

bool consume_recovery_code(std::vector<std::string>& digests, std::string_view code) {
  auto digest = recovery_code_digest(code);
  for (auto it = digests.begin(); it != digests.end(); ++it) {
    if (it->size() == digest.size() && sodium_memcmp(it->data(), digest.data(), digest.size()) == 0) {
      digests.erase(it);
      return true;
    }
  }
  return false;
}

} // namespace parley::accounts
