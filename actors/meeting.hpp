// The meeting actor: one per live meeting; owns its roster, roles, lock, waiting room and chat.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/node_context.hpp"
#include "meetings/meeting_record.hpp"

namespace parley::actors {

/// Spawned (linked) only by the directory, which is how every other actor finds it.
caf::actor spawn_meeting(caf::local_actor* directory, std::shared_ptr<const node_context> ctx, caf::actor store,
                         meetings::meeting_record record);

} // namespace parley::actors
