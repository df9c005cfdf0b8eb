// A guest's sign-in for one meeting: who they are there and until when the guest token is valid.
#pragma once

#include <cstdint>
#include <string>

#include <msgpack.hpp>

namespace parley::meetings {

struct guest_record {
  uint64_t guest_id = 0;   // stands in for a user id inside the meeting
  uint64_t meeting_id = 0; // the only meeting the guest may join
  std::string display_name;
  int64_t expires_at = 0; // unix seconds
  MSGPACK_DEFINE_MAP(guest_id, meeting_id, display_name, expires_at)
};

} // namespace parley::meetings
