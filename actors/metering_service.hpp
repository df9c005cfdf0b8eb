// The metering service: folds the meeting event journal into daily usage, apart from meetings.
#pragma once

#include <cstdint>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/node_context.hpp"
#include "metering/meter_event.hpp"

namespace parley::storage {
class database;
}

namespace parley::actors {

/// Spawns the service. It folds settled journal events every second; a stopped or crashed
/// service loses nothing: the journal keeps growing and the next one starts at the cursor.
caf::actor spawn_metering_service(caf::actor_system& system, std::shared_ptr<const node_context> ctx,
                                  caf::actor store);

/// Appends a meter event to the journal through the store without waiting: meetings never
/// depend on metering being up.
void journal_meter_event(const caf::actor& store, metering::meter_kind kind, uint64_t meeting_id,
                         uint64_t participant_id, uint64_t org_id);

/// The organisation a meeting is metered to: its host's.
uint64_t metered_org(storage::database& db, uint64_t host_id);

} // namespace parley::actors
