// Shared set-up for the sign-in and identity tests: a server with a known admin, policy changes,
// and an independent RFC 6238 generator (OpenSSL HMAC) to play the user's authenticator app.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tests/integration/harness.hpp"

namespace parley::test_support {

inline constexpr std::string_view admin_password_for_tests = "Admin-Password-2024!";

/// Open registration and a known admin password, plus `extra` options.
inline parleyd_options security_server(std::vector<std::string> extra = {}) {
  auto options = open_registration(std::move(extra));
  options.env.emplace_back("PARLEY_ADMIN_PASSWORD", std::string{admin_password_for_tests});
  return options;
}

inline std::string admin_token(const parleyd_process& server) {
  auto client = client_for(server);
  return login_token(client, "admin", admin_password_for_tests);
}

/// PUT /api/v1/admin/org/security-policy; REQUIREs success.
inline nlohmann::json set_policy(const parleyd_process& server, const std::string& admin, const nlohmann::json& fields) {
  auto client = client_for(server);
  auto response = client.request("PUT", "/api/v1/admin/org/security-policy", fields.dump(), {bearer(admin)});
  INFO(response.describe());
  REQUIRE(response.status == 200);
  return response.json();
}

inline http_response login_raw(https_client& client, const std::string& username, std::string_view password) {
  return client.post_json("/api/v1/auth/login", {{"username", username}, {"password", password}});
}

/// RFC 4648 base32 (no padding) to bytes.
inline std::string base32_decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
    if (v < 0)
      continue;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

/// RFC 6238 TOTP with OpenSSL: T = floor(unix_time / 30), dynamic truncation, `digits` digits.
inline std::string rfc6238_code(std::string_view key, int64_t unix_time, unsigned digits = 6,
                                const EVP_MD* md = EVP_sha1()) {
  uint64_t counter = static_cast<uint64_t>(unix_time / 30);
  unsigned char message[8];
  for (int i = 7; i >= 0; --i, counter >>= 8)
    message[i] = static_cast<unsigned char>(counter & 0xff);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), message, sizeof message, mac, &mac_length);
  auto offset = mac[mac_length - 1] & 0x0f;
  uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) | (static_cast<uint32_t>(mac[offset + 1]) << 16)
                    | (static_cast<uint32_t>(mac[offset + 2]) << 8) | static_cast<uint32_t>(mac[offset + 3]);
  uint32_t modulus = 1;
  for (unsigned i = 0; i < digits; ++i)
    modulus *= 10;
  auto code = std::to_string(binary % modulus);
  return std::string(digits - code.size(), '0') + code;
}

inline int64_t unix_time_now() {
  return static_cast<int64_t>(std::time(nullptr));
}

} // namespace parley::test_support
