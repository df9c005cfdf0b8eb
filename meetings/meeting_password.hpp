// Meeting passwords: kept only as a salted keyed BLAKE2b digest, checked in constant time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::meetings {

/// Meeting passwords are short shared codes, not account secrets: a fast salted hash is enough
/// (join attempts are throttled), and Argon2 on every join would make joins a CPU target.
/// Format: "b2$" + hex(salt16) + "$" + hex(digest32).
std::string hash_meeting_password(std::string_view password);
bool verify_meeting_password(std::string_view stored, std::string_view password);
/// Nullopt if acceptable: 1-32 printable ASCII characters without spaces.
std::optional<std::string> meeting_password_problem(std::string_view password);

} // namespace parley::meetings
