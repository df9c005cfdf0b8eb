// The inbox of one online user: reaches every connection the user has open on this node.
#pragma once

#include <cstdint>

#include <caf/fwd.hpp>

namespace parley::actors {

/// Spawned (linked) by the messaging directory when the user's first connection signs in; it
/// ends when the directory retires it after the last connection is gone.
caf::actor spawn_inbox(caf::local_actor* parent, uint64_t user);

} // namespace parley::actors
