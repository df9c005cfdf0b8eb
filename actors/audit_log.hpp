// The audit log service: the one writer of the hash-chained audit log, and how others append to it.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/node_context.hpp"
#include "audit/audit_event.hpp"

namespace parley::actors {

/// Spawns the service. It reads the last entry at start, so a restarted log continues the chain.
caf::actor spawn_audit_log(caf::actor_system& system, std::shared_ptr<const node_context> ctx, caf::actor store);

/// Appends `event` without waiting (sign-in outcomes and other events of a request that must not
/// be slowed down). The entry is durable shortly after; an append while the service restarts is
/// logged as lost.
void record_audit(caf::actor_system& system, audit::audit_event event);

} // namespace parley::actors
