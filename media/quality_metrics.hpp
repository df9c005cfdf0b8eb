// Prometheus text for the media plane's per-transport quality figures. Transports are
// named by their numeric id and worker only: no user identity, no media.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "media/packet_router.hpp"

namespace parley::media {

struct worker_quality {
  size_t worker = 0;
  std::vector<std::pair<transport_id, transport_counters>> transports;
};

[[nodiscard]] std::string render_quality_metrics(std::span<const worker_quality> workers);

}  // namespace parley::media
