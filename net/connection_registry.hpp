// The edge's open connections, so that a shutdown can close each one politely.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace parley::net {

class connection {
public:
  virtual ~connection() = default;
  /// Begins closing: WebSockets send close code 1001, HTTP connections just close.
  virtual void shutdown() = 0;
};

class connection_registry {
public:
  uint64_t next_id() {
    std::lock_guard guard{mutex_};
    return ++last_id_;
  }
  void put(uint64_t id, std::weak_ptr<connection> c) {
    std::lock_guard guard{mutex_};
    live_[id] = std::move(c);
  }
  void remove(uint64_t id) {
    std::lock_guard guard{mutex_};
    live_.erase(id);
  }
  std::vector<std::shared_ptr<connection>> snapshot() const {
    std::vector<std::shared_ptr<connection>> result;
    std::lock_guard guard{mutex_};
    result.reserve(live_.size());
    for (const auto& [id, weak] : live_)
      if (auto c = weak.lock())
        result.push_back(std::move(c));
    return result;
  }

private:
  mutable std::mutex mutex_;
  uint64_t last_id_ = 0;
  std::unordered_map<uint64_t, std::weak_ptr<connection>> live_;
};

} // namespace parley::net
