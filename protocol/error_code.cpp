// Names and HTTP statuses of the error codes.
#include "protocol/error_code.hpp"

#include <array>
#include <utility>

namespace parley::protocol {

namespace {

struct error_info {
  error_code code;
  std::string_view name;
  unsigned status;
};

constexpr std::array<error_info, 22> error_table{{
  {error_code::bad_request, "bad_request", 400},
  {error_code::unknown_op, "unknown_op", 400},
  {error_code::unauthenticated, "unauthenticated", 401},
  {error_code::forbidden, "forbidden", 403},
  {error_code::not_found, "not_found", 404},
  {error_code::method_not_allowed, "method_not_allowed", 405},
  {error_code::conflict, "conflict", 409},
  {error_code::weak_password, "weak_password", 400},
  {error_code::payload_too_large, "payload_too_large", 413},
  {error_code::rate_limited, "rate_limited", 429},
  {error_code::unavailable, "unavailable", 503},
  {error_code::internal, "internal", 500},
  {error_code::bad_password, "bad_password", 403},
  {error_code::meeting_locked, "meeting_locked", 403},
  {error_code::meeting_full, "meeting_full", 409},
  {error_code::banned, "banned", 403},
  {error_code::meeting_ended, "meeting_ended", 410},
  {error_code::password_expired, "password_expired", 403},
  {error_code::account_locked, "account_locked", 423},
  {error_code::password_reused, "password_reused", 400},
  {error_code::mfa_invalid, "mfa_invalid", 401},
  {error_code::verification_required, "verification_required", 403},
}};

} // namespace

std::string_view to_string(error_code code) noexcept {
  return error_table[static_cast<size_t>(code) - 1].name;
}

std::optional<error_code> error_code_from_string(std::string_view name) noexcept {
  for (const auto& info : error_table)
    if (info.name == name)
      return info.code;
  return std::nullopt;
}

unsigned http_status(error_code code) noexcept {
  return error_table[static_cast<size_t>(code) - 1].status;
}

} // namespace parley::protocol
