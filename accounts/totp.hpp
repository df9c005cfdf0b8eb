// Time-based one-time passwords (RFC 6238) through liboath: secrets, otpauth URIs, codes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::accounts {

enum class totp_hash { sha1, sha256, sha512 };

struct totp_parameters {
  unsigned digits = 6;
  unsigned step_seconds = 30;
  totp_hash hash = totp_hash::sha1; // what authenticator apps support everywhere
};

/// 20 random bytes (160 bits, RFC 4226's recommended length).
std::string generate_totp_secret();

/// RFC 4648 base32 without padding, the form authenticator apps take.
std::string base32_encode(std::string_view bytes);

/// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret,
                        const totp_parameters& parameters = {});

/// The code for unix time `now`; empty if the secret is unusable.
std::string totp_code(std::string_view secret, int64_t now, const totp_parameters& parameters = {});

/// The time step of `code` if it matches within ±`window` steps of `now` and comes after
/// `last_step` (a code is accepted once); nullopt otherwise.
std::optional<int64_t> totp_accept(std::string_view secret, std::string_view code, int64_t now,
                                   int64_t last_step, unsigned window = 1, const totp_parameters& parameters = {});

} // namespace parley::accounts
