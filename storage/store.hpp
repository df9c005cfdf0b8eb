// The store actor: every acknowledged write in the node passes through its group commit.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

namespace parley::telemetry {
struct node_metrics;
}

namespace parley::storage {

class database;

/// Spawns the store. It answers `(write_atom, write_set)` with `ok_atom` once the set is in the
/// WAL and synced. Concurrent sets wait for the sync in flight, then go out together as one
/// WriteBatch and one sync, so throughput grows with concurrency while each acknowledgement
/// still means "durable".
caf::actor spawn_store(caf::actor_system& system, std::shared_ptr<database> db,
                       telemetry::node_metrics* metrics);

} // namespace parley::storage
