// The session actor: one per WebSocket connection; authenticates it and turns frames into ops.
#pragma once

#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/node_context.hpp"
#include "actors/outbound_sink.hpp"

namespace parley::actors {

caf::actor spawn_session(caf::actor_system& system, std::shared_ptr<const node_context> ctx,
                         std::shared_ptr<outbound_sink> sink, std::string remote_address);

} // namespace parley::actors
