#pragma once
// The hand-over of a SAML sign-in to the web client without a secret in any URL: the ACS keeps
// the sign-in answer here under a one-time code that travels only in an HttpOnly cookie, and the
// client's POST /api/v1/auth/saml/session takes it out (once, within two minutes).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace parley::net {

class sso_handoff {
public:
  static constexpr std::int64_t lifetime_seconds = 120;
  static constexpr std::size_t max_pending = 10000;

  /// Keeps `answer` and returns its one-time code; empty when too many hand-overs are pending.
  std::string put(std::string answer, std::int64_t now);
  /// The answer for `code` if it is pending and not expired; it is forgotten either way.
  std::optional<std::string> take(const std::string& code, std::int64_t now);

private:
  struct pending {
    std::string answer;
    std::int64_t expires_at = 0;
  };
  void forget_expired(std::int64_t now);

  std::mutex mutex_;
  std::unordered_map<std::string, pending> pending_; // keyed by the code's SHA-256
};

/// The value of cookie `name` in a Cookie header, or empty.
std::string cookie_value(const std::string& header, const std::string& name);

} // namespace parley::net
