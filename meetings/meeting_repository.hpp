// Where meetings, personal meeting ids and meeting chat live in storage: keys, reads, write sets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meetings/chat_record.hpp"
#include "meetings/guest_record.hpp"
#include "meetings/live_meeting.hpp"
#include "meetings/meeting_record.hpp"
#include "storage/write_set.hpp"

namespace parley::storage {
class database;
}

namespace parley::meetings {

/// Keys in the `meetings` family: 'm'|id → record, 'h'|host|id → "" (listing a host's meetings),
/// 'p'|pmi → user id, 'u'|user → pmi, 'l'|id → live_snapshot (a meeting in progress),
/// 'g'|sha256(guest token) → guest_record. Chat in `messages`: meeting_id|seq → chat_record.
/// All integers big-endian, so a host's meetings and a meeting's chat are contiguous.
class meeting_repository {
public:
  explicit meeting_repository(storage::database& db) : db_(db) {}

  std::optional<meeting_record> find(uint64_t id) const;
  /// A host's meetings in id order (a bounded prefix scan).
  std::vector<meeting_record> list_by_host(uint64_t host_id, size_t limit = 500) const;
  std::optional<uint64_t> pmi_owner(uint64_t pmi) const;
  std::optional<uint64_t> pmi_of(uint64_t user_id) const;

  /// The highest chat seq stored for the meeting, 0 if none.
  uint64_t last_chat_seq(uint64_t meeting_id) const;
  /// Up to `limit` messages with seq < before_seq (0: from the newest), oldest first, that
  /// `viewer` may see.
  std::vector<chat_record> chat_history(uint64_t meeting_id, uint64_t before_seq, size_t limit,
                                        uint64_t viewer) const;

  /// Every message `viewer` may see, oldest first, at most `limit` (for the chat export).
  std::vector<chat_record> chat_all(uint64_t meeting_id, uint64_t viewer, size_t limit) const;
  /// Adds an erase of every chat message of the meeting to `writes`.
  void erase_chat(storage::write_set& writes, uint64_t meeting_id) const;

  std::optional<live_snapshot> find_live(uint64_t meeting_id) const;
  /// Meetings that were live when the node stopped.
  std::vector<uint64_t> live_meeting_ids(size_t limit = 100000) const;
  std::optional<guest_record> find_guest(const std::string& token_digest) const;

  static void put(storage::write_set& writes, const meeting_record& record);
  static void put_live(storage::write_set& writes, uint64_t meeting_id, const live_snapshot& snapshot);
  static void remove_live(storage::write_set& writes, uint64_t meeting_id);
  static void put_guest(storage::write_set& writes, const std::string& token_digest, const guest_record& guest);
  static void remove(storage::write_set& writes, const meeting_record& record);
  static void set_pmi(storage::write_set& writes, uint64_t user_id, std::optional<uint64_t> old_pmi, uint64_t pmi);
  /// Sealed under the sender's data key; a guest's (`from_guest`: from_user is a guest id) or an
  /// extension's under the organisation `org_id`'s (plain when 0).
  static void add_chat(storage::write_set& writes, uint64_t meeting_id, const chat_record& record,
                       uint64_t org_id = 0, bool from_guest = false);

  static std::string meeting_key(uint64_t id);
  static std::string chat_key(uint64_t meeting_id, uint64_t seq);

private:
  storage::database& db_;
};

} // namespace parley::meetings
