// Protocol error codes carried through CAF errors, so a client sees the code the owning actor chose.
#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>

#include "protocol/error_code.hpp"

namespace parley::actors {

/// The CAF error category of every error an actor returns for a client.
inline constexpr caf::atom_value error_category = caf::atom("parley");

caf::error make_service_error(protocol::error_code code, std::string message);
/// A `rate_limited` error that tells the client when to try again.
caf::error make_retry_error(std::string message, int64_t retry_after_seconds);
/// Any code with a `Retry-After` hint (e.g. `account_locked`).
caf::error make_service_error_after(protocol::error_code code, std::string message, int64_t retry_after_seconds);

/// A client-facing code and message for any CAF error: our own pass through; timeouts and lost
/// actors become `unavailable`; anything else is `internal` (and the detail is not shown).
struct client_error {
  protocol::error_code code;
  std::string message;
  int64_t retry_after = 0; // seconds, for rate_limited
};
client_error to_client_error(const caf::error& err);

} // namespace parley::actors
