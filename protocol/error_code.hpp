// The stable error codes a client sees, over WebSocket and REST alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace parley::protocol {

// Values start at 1: CAF treats an error with code 0 as "no error".
enum class error_code : uint8_t {
  bad_request = 1,
  unknown_op,
  unauthenticated,
  forbidden,
  not_found,
  method_not_allowed,
  conflict,
  weak_password,
  payload_too_large,
  rate_limited,
  unavailable,
  internal,
  // Meetings (appended: existing values never change).
  bad_password,
  meeting_locked,
  meeting_full,
  banned,
  meeting_ended,
  // Sign-in and identity (appended).
  password_expired,
  account_locked,
  password_reused,
  mfa_invalid,
  verification_required,
};

/// The highest code; every value in [1, last_error_code] is valid.
inline constexpr error_code last_error_code = error_code::verification_required;

/// The name on the wire, e.g. "bad_request".
std::string_view to_string(error_code code) noexcept;

std::optional<error_code> error_code_from_string(std::string_view name) noexcept;

/// The HTTP status that carries the code in REST responses.
unsigned http_status(error_code code) noexcept;

} // namespace parley::protocol
