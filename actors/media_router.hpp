// The meeting's `router` actor: media control state (transports, producers, consumers,
// mutes) that it pushes to the meeting's media worker; per-packet work stays on the worker.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/node_context.hpp"

namespace parley::actors {

/// Spawned (linked) by the meeting actor, which is the only way to reach it.
caf::actor spawn_media_router(caf::local_actor* meeting, std::shared_ptr<const node_context> ctx, uint64_t meeting_id);

/// An echo test: a private router of one session that returns the session's own published
/// media through the SFU. Not linked: it monitors the session and ends with it; the session
/// ends it earlier with an exit message (media.echo_test.stop).
caf::actor spawn_echo_router(caf::local_actor* session, std::shared_ptr<const node_context> ctx, uint64_t echo_id);

} // namespace parley::actors
