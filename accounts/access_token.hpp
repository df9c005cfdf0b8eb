// Sign-in tokens: 256 random bits for the client, only their SHA-256 kept on the server.
#pragma once

#include <string>
#include <string_view>

namespace parley::accounts {

/// A fresh token: 32 random bytes, base64url without padding (43 characters).
std::string generate_token();

/// The lookup key stored in place of a token: SHA-256 of its text, 32 raw bytes.
std::string token_digest(std::string_view token);

/// Cheap shape check before any lookup (length and alphabet).
bool looks_like_token(std::string_view token) noexcept;

/// A random 64-bit identifier that is never 0.
uint64_t random_id();

/// Lower-case hex of 8 bytes, the form ids take on the wire.
std::string id_to_hex(uint64_t id);
bool id_from_hex(std::string_view text, uint64_t& id) noexcept;

} // namespace parley::accounts
