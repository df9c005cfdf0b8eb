// Delivering a message from a non-actor thread so that an idle receiver runs on that thread at once.
#pragma once

#include <caf/fwd.hpp>
#include <caf/message.hpp>

namespace parley::actors {

/// Enqueues `msg` to `dest`. If that makes `dest` runnable, it runs right here, on the calling
/// thread, instead of waking a scheduler thread; anything it makes runnable in turn goes to the
/// scheduler as usual. Used by the edge for a connection's session actor: a request and its
/// reply then cross no thread boundary, where a scheduler hop costs two wake-ups per round trip.
/// CAF still runs the actor on one thread at a time, so nothing about the actor model changes.
void deliver_inline(const caf::actor& dest, caf::message msg);

} // namespace parley::actors
