// Deleting an organisation from storage: its data keys first (crypto-shredding), then its records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parley::storage {
class database;
struct write_set;
} // namespace parley::storage

namespace parley::actors {

/// Records, in `writes`, that organisation `org_id` with `members` is being deleted. Committed
/// before any key is destroyed, so a node that stops at any later point finishes the deletion at
/// its next start (the members' records may be gone by then; this list remains).
void mark_organisation_deletion(storage::write_set& writes, uint64_t org_id, const std::vector<uint64_t>& members);

/// True while a deletion of `org_id` is recorded and not finished.
bool organisation_being_deleted(const storage::database& db, uint64_t org_id);

/// The members an unfinished deletion of `org_id` recorded (empty if none is recorded): a retry
/// adds them to its own list, since their records may already be gone.
std::vector<uint64_t> members_marked_for_deletion(const storage::database& db, uint64_t org_id);

/// Destroys, each durably, the data keys of `org_id` and `members` not destroyed yet. Blocks
/// (synced writes, flush and compaction per key): never call it on a scheduler thread.
/// Returns "" or what failed.
std::string destroy_organisation_keys(storage::database& db, uint64_t org_id, const std::vector<uint64_t>& members);

/// The data-key owners an organisation's deletion destroys: the organisation's own key (its
/// guests' meeting chat) and each member's key.
std::vector<uint64_t> organisation_key_owners(uint64_t org_id, const std::vector<uint64_t>& members);

/// Destroys the keys of `org_id` and its members (those not destroyed yet; each durably), then
/// erases every record of the organisation: its members (records, usernames, API keys, sign-in
/// tokens, personal meeting IDs), the meetings they host (records, live state, guest passes,
/// chat), the conversations only its members were in (with their messages and images), its
/// members' images, read markers and activity elsewhere, its usage, the organisation record
/// and last the deletion mark. Idempotent: a node that stopped mid-way runs it again at start.
/// Blocks (scans and synced writes): never call it on a scheduler thread.
/// Returns "" or what failed (the mark stays, so a retry or restart finishes).
std::string erase_organisation(storage::database& db, uint64_t org_id, std::vector<uint64_t> members);

/// Finishes every deletion a stopped node left marked. Returns "" or what failed.
std::string finish_organisation_deletions(storage::database& db);

} // namespace parley::actors
