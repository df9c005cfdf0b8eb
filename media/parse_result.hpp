// The error-as-value type every media-plane parser returns instead of throwing.
#pragma once

#include <string_view>
#include <utility>
#include <variant>

namespace parley::media {

// Stable names: they end up in logs and stats, so values are never renumbered.
enum class parse_error {
  truncated,          // buffer shorter than the structure or a length field claims
  bad_version,        // RTP/RTCP version is not 2
  bad_length,         // a length field is inconsistent with the buffer or the format
  bad_magic_cookie,   // STUN magic cookie missing
  bad_type,           // wrong packet type / format for this parser
  bad_padding,        // padding count impossible
  bad_attribute,      // STUN attribute malformed or misplaced
  bad_extension,      // RTP header extension block malformed
  bad_value,          // a field holds a value the format forbids
  bad_syntax,         // SDP line cannot be understood
  too_large,          // input beyond what we agree to handle
};

[[nodiscard]] constexpr std::string_view to_string(parse_error e) noexcept {
  switch (e) {
    case parse_error::truncated: return "truncated";
    case parse_error::bad_version: return "bad_version";
    case parse_error::bad_length: return "bad_length";
    case parse_error::bad_magic_cookie: return "bad_magic_cookie";
    case parse_error::bad_type: return "bad_type";
    case parse_error::bad_padding: return "bad_padding";
    case parse_error::bad_attribute: return "bad_attribute";
    case parse_error::bad_extension: return "bad_extension";
    case parse_error::bad_value: return "bad_value";
    case parse_error::bad_syntax: return "bad_syntax";
    case parse_error::too_large: return "too_large";
  }
  return "unknown";
}

template <typename T>
class parse_result {
 public:
  parse_result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  parse_result(parse_error error) : state_(error) {}   // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // Precondition: ok().
  [[nodiscard]] T& value() & { return std::get<0>(state_); }
  [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &std::get<0>(state_); }
  const T* operator->() const { return &std::get<0>(state_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // Precondition: !ok().
  [[nodiscard]] parse_error error() const { return std::get<1>(state_); }

 private:
  std::variant<T, parse_error> state_;
};

}  // namespace parley::media
