// Exponential back-off per key, forgotten after a quiet period; tables are bounded.
#include "accounts/login_throttle.hpp"

#include <algorithm>

namespace parley::accounts {

std::chrono::seconds login_throttle::retry_after(const std::string& username, const std::string& address,
                                                 clock::time_point now) const {
  return std::max(remaining(by_user_, username, now), remaining(by_address_, address, now));
}

std::chrono::seconds login_throttle::remaining(const table& t, const std::string& key,
                                               clock::time_point now) const {
  auto it = t.find(key);
  if (it == t.end() || it->second.blocked_until <= now)
    return std::chrono::seconds{0};
  return std::chrono::ceil<std::chrono::seconds>(it->second.blocked_until - now);
}

void login_throttle::record_failure(const std::string& username, const std::string& address,
                                    clock::time_point now) {
  fail(by_user_, username, limits_.free_failures_per_user, now);
  fail(by_address_, address, limits_.free_failures_per_address, now);
}

void login_throttle::record_success(const std::string& username) {
  by_user_.erase(username);
}

void login_throttle::fail(table& t, const std::string& key, uint32_t free_failures, clock::time_point now) {
  if (t.size() >= limits_.max_tracked && !t.count(key))
    evict(t, now);
  auto& r = t[key];
  if (r.failures > 0 && now - r.last_failure > limits_.forget_after)
    r = record{};
  ++r.failures;
  r.last_failure = now;
  if (r.failures > free_failures) {
    auto exponent = std::min<uint32_t>(r.failures - free_failures - 1, 20);
    auto delay = std::min(limits_.first_delay * (int64_t{1} << exponent), limits_.max_delay);
    r.blocked_until = now + delay;
  }
}

void login_throttle::evict(table& t, clock::time_point now) {
  for (auto it = t.begin(); it != t.end();)
    it = now - it->second.last_failure > limits_.forget_after ? t.erase(it) : std::next(it);
  // Still full of recent failures: drop an arbitrary half rather than grow without bound.
  for (auto it = t.begin(); t.size() >= limits_.max_tracked && it != t.end();)
    it = t.erase(it);
}

} // namespace parley::accounts
