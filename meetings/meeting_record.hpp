// A stored meeting: schedule, host, settings, password hash, and its history (start, end, peak).
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <msgpack.hpp>

#include "meetings/meeting_settings.hpp"

namespace parley::meetings {

struct meeting_record {
  uint64_t id = 0; // 11 decimal digits on the wire
  std::string topic;
  uint64_t host_id = 0;
  int64_t start_at = 0; // unix seconds; 0: unscheduled
  uint32_t duration_min = 60;
  std::string password_hash; // empty: no password (see meeting_password.hpp)
  meeting_settings settings;
  int64_t created_at = 0;
  int64_t started_at = 0; // first time a host opened it
  int64_t ended_at = 0;   // set by meeting.end; an ended meeting cannot be joined
  uint32_t peak_participants = 0;
  bool personal = false; // the owner's personal meeting room (id = their PMI): never ends for good
  MSGPACK_DEFINE_MAP(id, topic, host_id, start_at, duration_min, password_hash, settings, created_at, started_at,
                     ended_at, peak_participants, personal)

  /// Copies what meeting.update may change, leaving the history fields of `*this` alone.
  void apply_edit(const meeting_record& edited) {
    topic = edited.topic;
    start_at = edited.start_at;
    duration_min = edited.duration_min;
    password_hash = edited.password_hash;
    settings = edited.settings;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, meeting_record& x) {
  return f(caf::meta::type_name("parley.meetings.meeting_record"), x.id, x.topic, x.host_id, x.start_at,
           x.duration_min, x.password_hash, x.settings, x.created_at, x.started_at, x.ended_at,
           x.peak_participants, x.personal);
}

} // namespace parley::meetings
