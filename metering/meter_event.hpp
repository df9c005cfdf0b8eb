// What meetings tell metering: a participant joined or left, a meeting started or ended.
#pragma once

#include <cstdint>

#include <msgpack.hpp>

namespace parley::metering {

enum class meter_kind : uint8_t { join = 1, leave = 2, start = 3, end = 4 };

struct meter_event {
  uint8_t kind = 0; // a meter_kind
  uint64_t meeting_id = 0;
  uint64_t participant_id = 0; // 0 for start and end
  uint64_t org_id = 0;
  int64_t at_ms = 0; // unix milliseconds
  MSGPACK_DEFINE_MAP(kind, meeting_id, participant_id, org_id, at_ms)
};

} // namespace parley::metering
