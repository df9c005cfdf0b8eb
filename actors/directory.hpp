// The directory: the only way to reach a meeting's actor; also serialises writes of meeting records and PMIs.
#pragma once

#include <memory>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "actors/node_context.hpp"

namespace parley::actors {

/// Registry name under which the supervisor registers the directory.
inline constexpr caf::atom_value directory_service_name = caf::atom("directory");

/// One per node. Meeting actors are spawned linked to it: if the directory goes, its meetings go
/// with it (their sessions see them go down), so no meeting is ever live twice.
caf::actor spawn_directory(caf::actor_system& system, std::shared_ptr<const node_context> ctx, caf::actor store);

} // namespace parley::actors
