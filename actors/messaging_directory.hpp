// The messaging directory: finds (activating on demand) a conversation's chat channel and a user's inbox.
#pragma once

#include <memory>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "actors/node_context.hpp"

namespace parley::actors {

/// Registry name under which the supervisor registers the messaging directory.
inline constexpr caf::atom_value messaging_service_name = caf::atom("messaging");

/// One per node. Chat channels and inboxes are spawned linked to it, so none outlives it and a
/// conversation never has two channels on the node. It also creates conversations (one 1:1 per
/// pair), routes every conversation op to its channel, fans events out to inboxes, and keeps the
/// presence of the users with connections.
caf::actor spawn_messaging_directory(caf::actor_system& system, std::shared_ptr<const node_context> ctx,
                                     caf::actor store);

} // namespace parley::actors
