// Names and help texts of the node's metrics (documented in docs/operations.md).
#include "telemetry/node_metrics.hpp"

namespace parley::telemetry {

node_metrics::node_metrics(metrics_registry& r)
  : registry(r),
    connections_open(r.make_gauge("parley_connections_open", "Open client connections (HTTPS and WebSocket).")),
    connections_total(r.make_counter("parley_connections_total", "Client connections accepted.")),
    connections_rejected(r.make_counter("parley_connections_rejected_total",
                                        "Connections refused because the connection cap was reached.")),
    ws_frames_in(r.make_counter("parley_ws_frames_in_total", "WebSocket frames received.")),
    ws_frames_out(r.make_counter("parley_ws_frames_out_total", "WebSocket frames sent.")),
    ws_slow_consumers(r.make_counter("parley_ws_slow_consumers_total",
                                     "WebSocket connections closed because their outbound queue was full.")),
    http_request_duration(r.make_histogram("parley_http_request_duration_seconds",
                                           "Time from a complete HTTP request to its response.",
                                           latency_buckets())),
    storage_batches(r.make_counter("parley_storage_batches_total", "Group-committed write batches synced.")),
    storage_writes(r.make_counter("parley_storage_writes_total", "Acknowledged durable writes.")),
    storage_sync_duration(r.make_histogram("parley_storage_sync_duration_seconds",
                                           "Time to write and sync one batch.", latency_buckets())),
    im_channels_retired(r.make_counter("parley_im_channels_retired_total",
                                       "IM conversation actors retired after being idle.")) {
}

} // namespace parley::telemetry
