// The accounts service: registration, sign-in with throttling, sign-out, token housekeeping.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/node_context.hpp"

namespace parley::actors {

/// Registered under the name `accounts` in the node's registry by the supervisor.
caf::actor spawn_accounts_service(caf::actor_system& system, std::shared_ptr<const node_context> ctx,
                                  caf::actor store);

} // namespace parley::actors
