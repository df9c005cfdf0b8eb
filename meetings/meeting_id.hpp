// Meeting ids (11 random decimal digits) and personal meeting ids (10 digits): making and reading them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::meetings {

/// Meeting ids are uniform over [10^10, 10^11): 9·10^10 values, so guessing one is useless
/// (and join attempts are rate limited per connection).
inline constexpr uint64_t meeting_id_min = 10'000'000'000ULL;
inline constexpr uint64_t meeting_id_max = 99'999'999'999ULL;
/// Personal meeting ids are 10 digits, so they never collide with a meeting id.
inline constexpr uint64_t pmi_min = 1'000'000'000ULL;
inline constexpr uint64_t pmi_max = 9'999'999'999ULL;

uint64_t random_meeting_id();
uint64_t random_pmi();

/// Decimal text, 11 digits for a meeting id.
std::string meeting_id_to_string(uint64_t id);
/// Accepts exactly 11 digits, optionally grouped with spaces or '-' ("123 4567 8901").
std::optional<uint64_t> parse_meeting_id(std::string_view text);

/// Nullopt if valid; else why not. A PMI is 10 digits, no leading 0, and not trivially guessable
/// (all one digit, or a run like 1234567890 / 9876543210).
std::optional<std::string> pmi_problem(std::string_view text);
std::optional<uint64_t> parse_pmi(std::string_view text);

/// "123 4567 8901", the form people read out.
std::string format_for_people(uint64_t meeting_id);

} // namespace parley::meetings
