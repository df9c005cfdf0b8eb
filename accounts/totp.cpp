// liboath does the HMAC arithmetic; this file adds secrets, URIs and single use of a code.
#include "accounts/totp.hpp"

#include <mutex>
#include <stdexcept>

#include <liboath/oath.h>
#include <sodium.h>

#include "accounts/password_hasher.hpp"

namespace parley::accounts {

namespace {

void initialize_oath() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (oath_init() != OATH_OK)
      throw std::runtime_error("liboath failed to initialise");
  });
}

int oath_flags(totp_hash hash) {
  switch (hash) {
  case totp_hash::sha256:
    return OATH_TOTP_HMAC_SHA256;
  case totp_hash::sha512:
    return OATH_TOTP_HMAC_SHA512;
  case totp_hash::sha1:
    break;
  }
  return 0;
}

const char* algorithm_name(totp_hash hash) {
  switch (hash) {
  case totp_hash::sha256:
    return "SHA256";
  case totp_hash::sha512:
    return "SHA512";
  case totp_hash::sha1:
    break;
  }
  return "SHA1";
}

std::string uri_escape(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
        || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
  }
  return out;
}

} // namespace

std::string generate_totp_secret() {
  initialize_crypto();
  std::string secret(20, '\0');
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string base32_encode(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(alphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0)
    out.push_back(alphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret,
                        const totp_parameters& parameters) {
  return "otpauth://totp/" + uri_escape(issuer) + ":" + uri_escape(account) + "?secret=" + base32_encode(secret)
         + "&issuer=" + uri_escape(issuer) + "&algorithm=" + algorithm_name(parameters.hash)
         + "&digits=" + std::to_string(parameters.digits) + "&period=" + std::to_string(parameters.step_seconds);
}

std::string totp_code(std::string_view secret, int64_t now, const totp_parameters& parameters) {
  initialize_oath();
  char code[16] = {};
  if (parameters.digits < 6 || parameters.digits > 8)
    return {};
  if (oath_totp_generate2(secret.data(), secret.size(), static_cast<time_t>(now), parameters.step_seconds, 0,
                          parameters.digits, oath_flags(parameters.hash), code)
      != OATH_OK)
    return {};
  return code;
}

std::optional<int64_t> totp_accept(std::string_view secret, std::string_view code, int64_t now, int64_t last_step,
                                   unsigned window, const totp_parameters& parameters) {
  initialize_oath();
  if (code.size() != parameters.digits || secret.empty())
    return std::nullopt;
  for (char c : code)
    if (c < '0' || c > '9')
      return std::nullopt;
  std::string terminated{code};
  int position = 0;
  uint64_t counter = 0;
  auto result = oath_totp_validate4(secret.data(), secret.size(), static_cast<time_t>(now), parameters.step_seconds,
                                    0, window, &position, &counter, oath_flags(parameters.hash), terminated.c_str());
  if (result < 0)
    return std::nullopt;
  auto step = static_cast<int64_t>(counter);
  if (step <= last_step)
    return std::nullopt;
  return step;
}

} // namespace parley::accounts
