// One logger per component, all writing through spdlog to stderr with one format.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace parley::telemetry {

/// Sets the level of every component logger ("trace", "debug", "info", "warn", "error", "off").
/// Returns false if `level` names no level.
bool configure_logging(std::string_view level);

/// The logger of one component ("edge", "store", ...), created on first use.
std::shared_ptr<spdlog::logger> logger(const std::string& component);

} // namespace parley::telemetry
