// crypto_generichash keyed with a random per-meeting salt.
#include "meetings/meeting_password.hpp"

#include <sodium.h>

#include "accounts/password_hasher.hpp"

namespace parley::meetings {

namespace {

constexpr size_t salt_size = 16;
constexpr size_t digest_size = 32;

std::string to_hex(const unsigned char* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

bool from_hex(std::string_view hex, unsigned char* out, size_t size) {
  size_t written = 0;
  return hex.size() == size * 2
         && sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &written, nullptr) == 0 && written == size;
}

void digest(const unsigned char* salt, std::string_view password, unsigned char* out) {
  crypto_generichash(out, digest_size, reinterpret_cast<const unsigned char*>(password.data()), password.size(),
                     salt, salt_size);
}

} // namespace

std::string hash_meeting_password(std::string_view password) {
  accounts::initialize_crypto();
  unsigned char salt[salt_size];
  randombytes_buf(salt, sizeof salt);
  unsigned char out[digest_size];
  digest(salt, password, out);
  return "b2$" + to_hex(salt, salt_size) + "$" + to_hex(out, digest_size);
}

bool verify_meeting_password(std::string_view stored, std::string_view password) {
  accounts::initialize_crypto();
  if (stored.size() != 3 + salt_size * 2 + 1 + digest_size * 2 || stored.substr(0, 3) != "b2$"
      || stored[3 + salt_size * 2] != '$')
    return false;
  unsigned char salt[salt_size];
  unsigned char expected[digest_size];
  if (!from_hex(stored.substr(3, salt_size * 2), salt, salt_size)
      || !from_hex(stored.substr(4 + salt_size * 2), expected, digest_size))
    return false;
  unsigned char actual[digest_size];
  digest(salt, password, actual);
  return sodium_memcmp(expected, actual, digest_size) == 0;
}

std::optional<std::string> meeting_password_problem(std::string_view password) {
  if (password.empty() || password.size() > 32)
    return "a meeting password is 1-32 characters";
  for (char c : password)
    if (c <= ' ' || c > '~')
      return "a meeting password uses printable ASCII without spaces";
  return std::nullopt;
}

} // namespace parley::meetings
