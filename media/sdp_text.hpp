// Small tokenising helpers shared by the SDP parser and writer.
#pragma once

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

namespace parley::media::sdp_text {

[[nodiscard]] inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

[[nodiscard]] inline std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const auto at = s.find(sep);
    const auto token = s.substr(0, at);
    if (!token.empty()) out.push_back(token);
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

// Splits off the first space-separated token.
[[nodiscard]] inline std::string_view next_token(std::string_view& s) noexcept {
  s = trim(s);
  const auto at = s.find(' ');
  const auto token = s.substr(0, at);
  s = at == std::string_view::npos ? std::string_view{} : trim(s.substr(at + 1));
  return token;
}

template <typename Int>
[[nodiscard]] std::optional<Int> number(std::string_view s, uint64_t max = std::numeric_limits<Int>::max()) noexcept {
  uint64_t v = 0;
  const auto* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc{} || ptr != end || v > max) return std::nullopt;
  return static_cast<Int>(v);
}

[[nodiscard]] inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace parley::media::sdp_text
