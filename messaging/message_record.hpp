// One entry of a conversation's timeline, stored under conversation_id|seq.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

namespace parley::messaging {

/// Kinds a client may send, and the kinds the conversation itself appends.
namespace kinds {
inline constexpr std::string_view text = "text";
inline constexpr std::string_view image = "image";
inline constexpr std::string_view invite = "invite"; // a meeting invitation with its join link
inline constexpr std::string_view edit = "edit";     // `target` was edited to `text`
inline constexpr std::string_view remove = "delete"; // `target` was deleted (tombstone)
inline constexpr std::string_view event = "event";   // membership or name change, see `action`
} // namespace kinds

struct message_record {
  uint64_t seq = 0;
  uint64_t sender = 0; // user id
  std::string kind;
  std::string text;      // text, invite (optional note), edit (the new text), event (new name)
  std::string client_id; // the sender's idempotency key; empty for entries the server appends
  int64_t at = 0;        // unix milliseconds, never decreasing along the timeline
  int64_t edited_at = 0;
  bool deleted = false;    // tombstone: text and attachments are gone
  uint64_t target = 0;     // edit / delete: the seq they change
  uint64_t file_id = 0;    // image
  std::string mime;        // image
  uint64_t size = 0;       // image bytes
  std::string meeting_id;  // invite
  std::string join_url;    // invite
  std::string action;      // event: created, renamed, added, removed, left
  std::vector<uint64_t> subjects; // event: the users it is about
  MSGPACK_DEFINE_MAP(seq, sender, kind, text, client_id, at, edited_at, deleted, target, file_id, mime, size,
                     meeting_id, join_url, action, subjects)

  /// Counts towards unread: something a person wrote, still there.
  bool is_content() const noexcept {
    return !deleted && (kind == kinds::text || kind == kinds::image || kind == kinds::invite);
  }
};

/// Text of one message: 1-8192 bytes of UTF-8.
inline constexpr size_t max_text = 8192;
/// Client message ids: 1-64 bytes.
inline constexpr size_t max_client_id = 64;

} // namespace parley::messaging
