// A token bucket: a sustained rate with a burst allowance.
#pragma once

#include <algorithm>
#include <chrono>

namespace parley::actors {

class rate_limiter {
public:
  using clock = std::chrono::steady_clock;

  rate_limiter(double per_second, double burst)
    : per_second_(per_second), burst_(burst), tokens_(burst), last_(clock::now()) {}

  /// Takes one token if there is one.
  bool try_acquire(clock::time_point now = clock::now()) {
    auto elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed * per_second_);
    if (tokens_ < 1.0)
      return false;
    tokens_ -= 1.0;
    return true;
  }

private:
  double per_second_;
  double burst_;
  double tokens_;
  clock::time_point last_;
};

} // namespace parley::actors
