// The metrics every plane of one node reports, registered once and shared by reference.
#pragma once

#include "telemetry/metrics.hpp"

namespace parley::telemetry {

struct node_metrics {
  explicit node_metrics(metrics_registry& registry);

  metrics_registry& registry;
  gauge& connections_open;
  counter& connections_total;
  counter& connections_rejected;
  counter& ws_frames_in;
  counter& ws_frames_out;
  counter& ws_slow_consumers;
  histogram& http_request_duration;
  counter& storage_batches;
  counter& storage_writes;
  histogram& storage_sync_duration;
  counter& im_channels_retired;
};

} // namespace parley::telemetry
