// Random ids from libsodium (uniform, no modulo bias) and strict parsing of the decimal forms.
#include "meetings/meeting_id.hpp"

#include <sodium.h>

#include "accounts/password_hasher.hpp"

namespace parley::meetings {

namespace {

uint64_t uniform(uint64_t low, uint64_t high) {
  accounts::initialize_crypto();
  const uint64_t span = high - low + 1;
  // randombytes_uniform is 32-bit; combine two draws with rejection for a uniform 64-bit range.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  for (;;) {
    uint64_t v = 0;
    randombytes_buf(&v, sizeof v);
    if (v < limit)
      return low + v % span;
  }
}

std::optional<uint64_t> parse_digits(std::string_view text, size_t digits) {
  std::string clean;
  for (char c : text) {
    if (c == ' ' || c == '-')
      continue;
    if (c < '0' || c > '9')
      return std::nullopt;
    clean.push_back(c);
  }
  if (clean.size() != digits || clean[0] == '0')
    return std::nullopt;
  return std::stoull(clean);
}

} // namespace

uint64_t random_meeting_id() {
  return uniform(meeting_id_min, meeting_id_max);
}

uint64_t random_pmi() {
  for (;;) {
    auto pmi = uniform(pmi_min, pmi_max);
    if (!pmi_problem(std::to_string(pmi)))
      return pmi;
  }
}

std::string meeting_id_to_string(uint64_t id) {
  return std::to_string(id);
}

std::optional<uint64_t> parse_meeting_id(std::string_view text) {
  return parse_digits(text, 11);
}

std::optional<std::string> pmi_problem(std::string_view text) {
  if (text.size() != 10)
    return "a personal meeting id is exactly 10 digits";
  for (char c : text)
    if (c < '0' || c > '9')
      return "a personal meeting id is exactly 10 digits";
  if (text[0] == '0')
    return "a personal meeting id cannot start with 0";
  bool same = true, up = true, down = true;
  for (size_t i = 1; i < text.size(); ++i) {
    same = same && text[i] == text[0];
    up = up && (text[i] - '0') == (text[i - 1] - '0' + 1) % 10;
    down = down && (text[i] - '0' + 1) % 10 == (text[i - 1] - '0');
  }
  if (same || up || down)
    return "that personal meeting id is too easy to guess";
  return std::nullopt;
}

std::optional<uint64_t> parse_pmi(std::string_view text) {
  if (pmi_problem(text))
    return std::nullopt;
  return std::stoull(std::string{text});
}

std::string format_for_people(uint64_t meeting_id) {
  auto s = meeting_id_to_string(meeting_id);
  if (s.size() != 11)
    return s;
  return s.substr(0, 3) + " " + s.substr(3, 4) + " " + s.substr(7);
}

} // namespace parley::meetings
