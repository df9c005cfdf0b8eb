// Reads of conversations, timelines, markers and images, and the write sets that change them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "messaging/conversation_record.hpp"
#include "messaging/image_record.hpp"
#include "messaging/message_record.hpp"
#include "storage/write_set.hpp"

namespace parley::storage {
class database;
}

namespace parley::messaging {

class messaging_repository {
public:
  explicit messaging_repository(storage::database& db) : db_(db) {}

  std::optional<conversation_record> find_conversation(uint64_t id) const;
  std::optional<uint64_t> find_direct(uint64_t a, uint64_t b) const;
  std::optional<message_record> find_message(uint64_t conversation, uint64_t seq) const;
  /// The newest entry of the timeline, if any.
  std::optional<message_record> last_message(uint64_t conversation) const;
  /// Entries with seq > after, oldest first, at most `limit`.
  std::vector<message_record> after(uint64_t conversation, uint64_t after, size_t limit) const;
  /// Entries with seq < before (0: from the newest), oldest first, the newest `limit` of them.
  std::vector<message_record> before(uint64_t conversation, uint64_t before, size_t limit) const;
  /// The seq a sender's client id was stored under.
  std::optional<uint64_t> find_client_id(uint64_t conversation, uint64_t sender, std::string_view id) const;
  uint64_t read_marker(uint64_t user, uint64_t conversation) const;
  /// Content entries after `after` written by others, counting at most `cap`.
  uint64_t unread(uint64_t conversation, uint64_t user, uint64_t after, uint64_t cap) const;
  /// The user's conversations, most recently active first: (conversation, activity_ms).
  std::vector<std::pair<uint64_t, int64_t>> by_activity(uint64_t user, size_t limit) const;
  /// The same index, continuing after the entry (activity_ms, conversation) a previous page ended with.
  std::vector<std::pair<uint64_t, int64_t>> by_activity_after(uint64_t user, int64_t activity_ms, uint64_t conversation,
                                                              size_t limit) const;
  std::optional<image_record> find_image(uint64_t id) const;
  std::optional<std::string> image_bytes(uint64_t id) const;

  static void put_conversation(storage::write_set& writes, const conversation_record& record);
  static void put_direct(storage::write_set& writes, uint64_t a, uint64_t b, uint64_t conversation);
  static void put_message(storage::write_set& writes, uint64_t conversation, const message_record& message);
  static void put_client_id(storage::write_set& writes, uint64_t conversation, uint64_t sender, std::string_view id,
                            uint64_t seq);
  /// Moves the user's index entry of the conversation from `old_ms` (0: none yet) to `new_ms`.
  static void move_activity(storage::write_set& writes, uint64_t user, uint64_t conversation, int64_t old_ms,
                            int64_t new_ms);
  static void erase_activity(storage::write_set& writes, uint64_t user, uint64_t conversation, int64_t ms);
  static void put_read_marker(storage::write_set& writes, uint64_t user, uint64_t conversation, uint64_t seq);
  static void put_image(storage::write_set& writes, const image_record& image, std::string bytes);

private:
  storage::database& db_;
};

} // namespace parley::messaging
