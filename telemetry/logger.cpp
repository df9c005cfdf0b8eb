// Component loggers: stderr, one shared sink, level set once from --log-level.
#include "telemetry/logger.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace parley::telemetry {

namespace {

std::mutex registry_mutex;

spdlog::sink_ptr shared_sink() {
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  return sink;
}

spdlog::level::level_enum& current_level() {
  static auto level = spdlog::level::info;
  return level;
}

} // namespace

bool configure_logging(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string{level});
  if (parsed == spdlog::level::off && level != "off")
    return false;
  std::lock_guard guard{registry_mutex};
  current_level() = parsed;
  spdlog::apply_all([parsed](const std::shared_ptr<spdlog::logger>& l) { l->set_level(parsed); });
  return true;
}

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  std::lock_guard guard{registry_mutex};
  if (auto existing = spdlog::get(component))
    return existing;
  auto created = std::make_shared<spdlog::logger>(component, shared_sink());
  created->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
  created->set_level(current_level());
  spdlog::register_logger(created);
  return created;
}

} // namespace parley::telemetry
