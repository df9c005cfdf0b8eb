// Prometheus text rendering and the histogram bucket logic.
#include "telemetry/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace parley::telemetry {

histogram::histogram(std::vector<double> upper_bounds)
  : upper_bounds_(std::move(upper_bounds)),
    buckets_(new std::atomic<uint64_t>[upper_bounds_.size()]) {
  std::sort(upper_bounds_.begin(), upper_bounds_.end());
  for (size_t i = 0; i < upper_bounds_.size(); ++i)
    buckets_[i].store(0, std::memory_order_relaxed);
}

void histogram::observe(double seconds) noexcept {
  auto it = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), seconds);
  if (it != upper_bounds_.end())
    buckets_[static_cast<size_t>(it - upper_bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  auto nanos = seconds > 0 ? static_cast<uint64_t>(seconds * 1e9) : 0;
  sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
}

uint64_t histogram::bucket_count(size_t index) const noexcept {
  return buckets_[index].load(std::memory_order_relaxed);
}

double histogram::sum() const noexcept {
  return static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
}

std::vector<double> latency_buckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5,    10.0};
}

counter& metrics_registry::make_counter(std::string name, std::string help) {
  auto e = std::make_unique<entry>();
  e->name = std::move(name);
  e->help = std::move(help);
  e->as_counter = std::make_unique<counter>();
  auto& result = *e->as_counter;
  std::lock_guard guard{mutex_};
  entries_.push_back(std::move(e));
  return result;
}

gauge& metrics_registry::make_gauge(std::string name, std::string help) {
  auto e = std::make_unique<entry>();
  e->name = std::move(name);
  e->help = std::move(help);
  e->as_gauge = std::make_unique<gauge>();
  auto& result = *e->as_gauge;
  std::lock_guard guard{mutex_};
  entries_.push_back(std::move(e));
  return result;
}

histogram& metrics_registry::make_histogram(std::string name, std::string help,
                                            std::vector<double> bounds) {
  auto e = std::make_unique<entry>();
  e->name = std::move(name);
  e->help = std::move(help);
  e->as_histogram = std::make_unique<histogram>(std::move(bounds));
  auto& result = *e->as_histogram;
  std::lock_guard guard{mutex_};
  entries_.push_back(std::move(e));
  return result;
}

void metrics_registry::make_callback_gauge(std::string name, std::string help,
                                           std::function<double()> read) {
  auto e = std::make_unique<entry>();
  e->name = std::move(name);
  e->help = std::move(help);
  e->read = std::move(read);
  std::lock_guard guard{mutex_};
  entries_.push_back(std::move(e));
}

namespace {

void append_number(std::string& out, double value) {
  char buf[64];
  if (std::isinf(value))
    std::snprintf(buf, sizeof buf, "%s", value > 0 ? "+Inf" : "-Inf");
  else
    std::snprintf(buf, sizeof buf, "%.9g", value);
  out += buf;
}

void append_header(std::string& out, const std::string& name, const std::string& help,
                   const char* type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

} // namespace

std::string metrics_registry::render_prometheus() const {
  std::string out;
  std::lock_guard guard{mutex_};
  for (const auto& e : entries_) {
    if (e->as_counter) {
      append_header(out, e->name, e->help, "counter");
      out += e->name + " " + std::to_string(e->as_counter->value()) + "\n";
    } else if (e->as_gauge) {
      append_header(out, e->name, e->help, "gauge");
      out += e->name + " " + std::to_string(e->as_gauge->value()) + "\n";
    } else if (e->read) {
      append_header(out, e->name, e->help, "gauge");
      out += e->name + " ";
      append_number(out, e->read());
      out += "\n";
    } else if (e->as_histogram) {
      const auto& h = *e->as_histogram;
      append_header(out, e->name, e->help, "histogram");
      uint64_t cumulative = 0;
      for (size_t i = 0; i < h.upper_bounds().size(); ++i) {
        cumulative += h.bucket_count(i);
        out += e->name + "_bucket{le=\"";
        append_number(out, h.upper_bounds()[i]);
        out += "\"} " + std::to_string(cumulative) + "\n";
      }
      out += e->name + "_bucket{le=\"+Inf\"} " + std::to_string(h.count()) + "\n";
      out += e->name + "_sum ";
      append_number(out, h.sum());
      out += "\n" + e->name + "_count " + std::to_string(h.count()) + "\n";
    }
  }
  return out;
}

} // namespace parley::telemetry
