// Where messaging records live: big-endian keys, each kind behind its own tag byte.
//
// messages family (meeting chat uses untagged meeting_id|seq keys, whose first byte is 0):
//   'C' conversation                    → conversation_record
//   'c' conversation seq                → message_record   (the timeline, scanned by prefix)
//   'i' conversation sender client_id   → seq              (idempotent sends)
//   'd' user_low user_high              → conversation     (one 1:1 conversation per pair)
//   'a' user activity_ms conversation   → ""               (a user's conversations by last activity)
//   'r' user conversation               → seq              (the user's read marker)
// files family:
//   'I' image → image_record;  'i' image → the image's bytes
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/key_codec.hpp"

namespace parley::messaging::keys {

using storage::key_builder;

inline std::string conversation(uint64_t id) {
  return key_builder{}.u8('C').u64(id).str();
}
inline std::string timeline_prefix(uint64_t conversation) {
  return key_builder{}.u8('c').u64(conversation).str();
}
inline std::string message(uint64_t conversation, uint64_t seq) {
  return key_builder{}.u8('c').u64(conversation).u64(seq).str();
}
inline std::string client_id(uint64_t conversation, uint64_t sender, std::string_view id) {
  return key_builder{}.u8('i').u64(conversation).u64(sender).bytes(id).str();
}
inline std::string direct_pair(uint64_t a, uint64_t b) {
  return key_builder{}.u8('d').u64(a < b ? a : b).u64(a < b ? b : a).str();
}
inline std::string activity_prefix(uint64_t user) {
  return key_builder{}.u8('a').u64(user).str();
}
/// Newest first: the activity is stored inverted, so a forward scan yields recent ones first.
inline std::string activity(uint64_t user, int64_t activity_ms, uint64_t conversation) {
  return key_builder{}.u8('a').u64(user).u64(~static_cast<uint64_t>(activity_ms)).u64(conversation).str();
}
inline std::string read_marker(uint64_t user, uint64_t conversation) {
  return key_builder{}.u8('r').u64(user).u64(conversation).str();
}
inline std::string image(uint64_t id) {
  return key_builder{}.u8('I').u64(id).str();
}
inline std::string image_bytes(uint64_t id) {
  return key_builder{}.u8('i').u64(id).str();
}

} // namespace parley::messaging::keys
