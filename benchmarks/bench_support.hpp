// Small helpers shared by the benchmark mains: --name=value options, temp folders, the fd limit, number output.
#pragma once

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace parley::bench {

/// `--name=value` options; anything else on the command line is an error.
class options {
public:
  options(int argc, char** argv) : args_(argv + 1, argv + argc) {}

  std::string text(const std::string& name, const std::string& fallback) const {
    auto prefix = "--" + name + "=";
    for (const auto& a : args_)
      if (a.rfind(prefix, 0) == 0)
        return a.substr(prefix.size());
    return fallback;
  }
  long number(const std::string& name, long fallback) const {
    auto value = text(name, "");
    return value.empty() ? fallback : std::strtol(value.c_str(), nullptr, 10);
  }
  /// A comma-separated list of counts, e.g. "1,16,256".
  std::vector<size_t> counts(const std::string& name, const std::string& fallback) const {
    std::vector<size_t> result;
    auto value = text(name, fallback);
    size_t at = 0;
    while (at <= value.size()) {
      auto comma = value.find(',', at);
      auto item = value.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
      if (!item.empty())
        result.push_back(static_cast<size_t>(std::strtoul(item.c_str(), nullptr, 10)));
      if (comma == std::string::npos)
        break;
      at = comma + 1;
    }
    return result;
  }

private:
  std::vector<std::string> args_;
};

/// Raises the soft limit on open files to the hard limit; returns the new soft limit.
inline rlim_t raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return 0;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

/// A fresh folder under `parent`, removed when this goes out of scope.
class temp_folder {
public:
  explicit temp_folder(const std::filesystem::path& parent, const std::string& prefix) {
    auto pattern = (parent / (prefix + "XXXXXX")).string();
    if (mkdtemp(pattern.data()))
      path_ = pattern;
  }
  ~temp_folder() {
    std::error_code ignored;
    if (!path_.empty())
      std::filesystem::remove_all(path_, ignored);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  bool ok() const noexcept { return !path_.empty(); }

private:
  std::filesystem::path path_;
};

/// "12,345" (rounded), for tables people read.
inline std::string grouped(double value) {
  auto digits = std::to_string(static_cast<long long>(value + 0.5));
  std::string result;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      result += ',';
    result += digits[i];
  }
  return result;
}

/// "met" or "missed by N%" for a figure that should be at least `goal`.
inline std::string verdict_at_least(double value, double goal) {
  if (value >= goal)
    return "met";
  char text[64];
  std::snprintf(text, sizeof text, "missed by %.0f%%", 100.0 * (goal - value) / goal);
  return text;
}

/// "met" or "missed by N%" for a figure that should be at most `goal`.
inline std::string verdict_at_most(double value, double goal) {
  if (value <= goal)
    return "met";
  char text[64];
  std::snprintf(text, sizeof text, "missed by %.0f%%", 100.0 * (value - goal) / goal);
  return text;
}

} // namespace parley::bench
