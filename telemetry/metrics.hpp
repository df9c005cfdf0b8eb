// Node metrics: lock-free counters, gauges and histograms rendered in Prometheus text format.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace parley::telemetry {

class counter {
public:
  void add(uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<uint64_t> value_{0};
};

class gauge {
public:
  void add(int64_t n) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(int64_t n) noexcept { value_.store(n, std::memory_order_relaxed); }
  int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<int64_t> value_{0};
};

/// Cumulative histogram of durations in seconds with fixed bucket bounds.
class histogram {
public:
  explicit histogram(std::vector<double> upper_bounds);

  void observe(double seconds) noexcept;

  const std::vector<double>& upper_bounds() const noexcept { return upper_bounds_; }
  uint64_t bucket_count(size_t index) const noexcept;
  uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  double sum() const noexcept;

private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_nanos_{0};
};

/// Bucket bounds from 50 µs to 10 s, suited to request and sync latencies.
std::vector<double> latency_buckets();

/// Owns every metric of the node; references it hands out stay valid for its lifetime.
class metrics_registry {
public:
  counter& make_counter(std::string name, std::string help);
  gauge& make_gauge(std::string name, std::string help);
  histogram& make_histogram(std::string name, std::string help, std::vector<double> bounds);
  /// A gauge read at render time, for values owned elsewhere (e.g. live actors).
  void make_callback_gauge(std::string name, std::string help, std::function<double()> read);

  std::string render_prometheus() const;

private:
  struct entry {
    std::string name;
    std::string help;
    std::unique_ptr<counter> as_counter;
    std::unique_ptr<gauge> as_gauge;
    std::unique_ptr<histogram> as_histogram;
    std::function<double()> read;
  };
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<entry>> entries_;
};

} // namespace parley::telemetry
