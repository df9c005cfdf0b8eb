// The node supervisor: spawns the services, names them in the registry, restarts the ones that may restart.
#pragma once

#include <memory>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "actors/node_context.hpp"

namespace parley::actors {

/// Registry names of the node's services.
inline constexpr caf::atom_value store_service = caf::atom("store");
inline constexpr caf::atom_value accounts_service_name = caf::atom("accounts");
inline constexpr caf::atom_value audit_service_name = caf::atom("audit");
inline constexpr caf::atom_value admin_service_name = caf::atom("admin");
inline constexpr caf::atom_value metering_service_name = caf::atom("metering");
inline constexpr caf::atom_value supervisor_name = caf::atom("supervisor");

/// Spawns the supervisor and, through it, every service. Losing the store is fatal to the node
/// (nothing could be acknowledged any more): the supervisor then raises SIGTERM so the process
/// shuts down cleanly. Other services are restarted with a short back-off.
caf::actor spawn_supervisor(caf::actor_system& system, std::shared_ptr<const node_context> ctx);

/// The current handle of a named service (invalid if it is down right now).
caf::actor lookup_service(caf::actor_system& system, caf::atom_value name);

} // namespace parley::actors
