// The durable journal of meter events and the usage it folds into, all in the metering family.
//
// Meetings append events through the store (never waiting for metering). The metering actor
// folds events into per-organisation, per-day usage and writes the new usage together with its
// cursor (the key of the last event folded) in one atomic write set, so an event is counted
// exactly once however often metering stops, crashes or restarts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <msgpack.hpp>

#include "metering/meter_event.hpp"
#include "storage/write_set.hpp"

namespace parley::storage {
class database;
}

namespace parley::metering {

/// Usage of one organisation on one UTC day.
struct day_usage {
  uint64_t org_id = 0;
  uint32_t day = 0;            // days since 1970-01-01 (UTC)
  uint64_t participant_ms = 0; // summed time participants spent in meetings
  uint64_t meetings = 0;       // meetings started that day
  uint32_t peak_concurrency = 0; // most participants at once across the organisation's meetings
  MSGPACK_DEFINE_MAP(org_id, day, participant_ms, meetings, peak_concurrency)
};

/// "YYYY-MM-DD" of a day number, and back (nullopt for malformed text).
std::string day_text(uint32_t day);
std::optional<uint32_t> day_from_text(const std::string& text);
uint32_t day_of_ms(int64_t unix_ms);

/// Appends an event to the journal (the key orders events by time; equal times by meeting,
/// participant and kind, so a join sorts before its leave).
void journal_append(storage::write_set& writes, const meter_event& event);

/// Folds journal events older than `settled_before_ms` (events still in flight to the store may
/// carry an earlier time) after the cursor, at most `limit`, into `writes`. Returns how many
/// were folded; 0 when caught up.
size_t fold_journal(storage::database& db, int64_t settled_before_ms, size_t limit, storage::write_set& writes);

/// Usage days of `org_id` in [from_day, to_day].
std::vector<day_usage> usage_between(storage::database& db, uint64_t org_id, uint32_t from_day, uint32_t to_day);

/// Events in the journal not folded yet.
uint64_t journal_backlog(storage::database& db);

} // namespace parley::metering
