// The admin service: the /api/v1/admin/ routes — users, organisation, usage and the audit log.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/node_context.hpp"

namespace parley::actors {

/// Spawns the service. Every request is authenticated and checked for administrator rights here.
caf::actor spawn_admin_service(caf::actor_system& system, std::shared_ptr<const node_context> ctx, caf::actor store);

} // namespace parley::actors
