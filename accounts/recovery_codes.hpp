// One-time MFA recovery codes: shown once, kept only as SHA-256 digests, each usable once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley::accounts {

inline constexpr size_t recovery_code_count = 10;

/// `count` codes of the form xxxxx-xxxxx (about 50 random bits each, no look-alike characters).
std::vector<std::string> generate_recovery_codes(size_t count = recovery_code_count);

/// The stored form of a code; dashes, spaces and case are ignored.
std::string recovery_code_digest(std::string_view code);

/// Removes the digest matching `code` from `digests`; false if none matched.
bool consume_recovery_code(std::vector<std::string>& digests, std::string_view code);

} // namespace parley::accounts
