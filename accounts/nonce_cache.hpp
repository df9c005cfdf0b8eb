// Remembers request nonces for as long as their timestamps are acceptable, so a signed request
// cannot be replayed; memory is bounded (when full of live nonces, new requests are refused).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>

namespace parley::accounts {

class nonce_cache {
public:
  explicit nonce_cache(size_t capacity = 200000) : capacity_(capacity) {}

  enum class outcome { fresh, replayed, full };

  /// Records `nonce` (already scoped by key id) until unix time `forget_at`.
  outcome remember(const std::string& nonce, int64_t forget_at, int64_t now);

  size_t size() const noexcept { return live_.size(); }
  size_t capacity() const noexcept { return capacity_; }

private:
  struct entry {
    int64_t forget_at;
    std::string nonce;
  };
  void expire(int64_t now);

  size_t capacity_;
  std::unordered_set<std::string> live_;
  std::deque<entry> order_; // by insertion; forget_at grows with it up to the skew window
};

} // namespace parley::accounts
