// One in-meeting chat message as stored under meeting_id|seq in the messages family.
#pragma once

#include <cstdint>
#include <string>

#include <msgpack.hpp>

namespace parley::meetings {

struct chat_record {
  uint64_t seq = 0;
  uint64_t from_user = 0;
  uint64_t from_participant = 0;
  std::string from_name;
  uint64_t to_user = 0;        // 0: to everyone
  uint64_t to_participant = 0; // 0: to everyone
  std::string text;
  int64_t at = 0; // unix milliseconds
  MSGPACK_DEFINE_MAP(seq, from_user, from_participant, from_name, to_user, to_participant, text, at)

  bool is_private() const noexcept { return to_user != 0; }
  /// Private messages are seen only by their sender and recipient.
  bool visible_to(uint64_t user_id) const noexcept {
    return !is_private() || user_id == from_user || user_id == to_user;
  }
};

} // namespace parley::meetings
