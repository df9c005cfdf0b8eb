// Slows down password guessing: failures per username and per address earn growing delays.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace parley::accounts {

class login_throttle {
public:
  using clock = std::chrono::steady_clock;

  struct limits {
    uint32_t free_failures_per_user = 5;     // failures before delays start
    uint32_t free_failures_per_address = 20;
    std::chrono::seconds first_delay{1};    // doubles with each further failure
    std::chrono::seconds max_delay{15 * 60};
    std::chrono::seconds forget_after{15 * 60};
    size_t max_tracked = 100000;            // bounded memory under a spray of names
  };

  login_throttle() : login_throttle(limits{}) {}
  explicit login_throttle(limits l) : limits_(l) {}

  /// How long the caller must still wait before trying this pair; zero if it may try now.
  std::chrono::seconds retry_after(const std::string& username, const std::string& address,
                                   clock::time_point now = clock::now()) const;

  void record_failure(const std::string& username, const std::string& address,
                      clock::time_point now = clock::now());
  /// A success clears the username's record (the address keeps its history).
  void record_success(const std::string& username);

private:
  struct record {
    uint32_t failures = 0;
    clock::time_point last_failure;
    clock::time_point blocked_until;
  };
  using table = std::unordered_map<std::string, record>;

  std::chrono::seconds remaining(const table& t, const std::string& key, clock::time_point now) const;
  void fail(table& t, const std::string& key, uint32_t free_failures, clock::time_point now);
  void evict(table& t, clock::time_point now);

  limits limits_;
  table by_user_;
  table by_address_;
};

} // namespace parley::accounts
