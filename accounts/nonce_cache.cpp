// Expiry walks the insertion queue from the front; an entry that expires later than its
// successors only delays their removal by at most the skew window.
#include "accounts/nonce_cache.hpp"

namespace parley::accounts {

nonce_cache::outcome nonce_cache::remember(const std::string& nonce, int64_t forget_at, int64_t now) {
  expire(now);
  if (live_.count(nonce))
    return outcome::replayed;
  if (live_.size() >= capacity_)
    return outcome::full;
  live_.insert(nonce);
  order_.push_back(entry{forget_at, nonce});
  return outcome::fresh;
}

void nonce_cache::expire(int64_t now) {
  while (!order_.empty() && order_.front().forget_at <= now) {
    live_.erase(order_.front().nonce);
    order_.pop_front();
  }
}

} // namespace parley::accounts
