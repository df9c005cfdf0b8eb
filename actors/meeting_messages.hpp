// Messages between sessions, the directory and meeting actors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include "accounts/user_record.hpp"
#include "meetings/meeting_record.hpp"

namespace parley::actors {

// Directory (registry name `directory`).
/// (dir_find_atom, uint64 meeting_id) → caf::actor: the live meeting, activated if needed;
/// errors not_found, meeting_ended.
using dir_find_atom = caf::atom_constant<caf::atom("dr_find")>;
/// (dir_create_atom, meeting_record) → meeting_record with a fresh unique id, once durable.
using dir_create_atom = caf::atom_constant<caf::atom("dr_create")>;
/// (dir_update_atom, meeting_record edited) → meeting_record as stored; a live meeting applies it.
using dir_update_atom = caf::atom_constant<caf::atom("dr_update")>;
/// (dir_delete_atom, uint64 meeting_id) → ok_atom; a live meeting ends first.
using dir_delete_atom = caf::atom_constant<caf::atom("dr_delete")>;
/// (dir_pmi_atom, uint64 user_id, uint64 pmi) → uint64 pmi; pmi 0: the user's, assigned if
/// none yet. Error conflict if another user holds it.
using dir_pmi_atom = caf::atom_constant<caf::atom("dr_pmi")>;

// Meeting actor. Every request comes from the session of the participant it names.
/// (mt_join_atom, join_request) → (uint64 participant_id, std::vector<uint8_t> packed join result);
/// a resumed participant keeps its id, so the meeting names it.
using mt_join_atom = caf::atom_constant<caf::atom("mt_join")>;
/// (mt_command_atom, meeting_command) → std::vector<uint8_t>: the packed op result.
using mt_command_atom = caf::atom_constant<caf::atom("mt_cmd")>;
/// (mt_leave_atom, uint64 participant_id): the session left or is gone (no reply needed).
using mt_leave_atom = caf::atom_constant<caf::atom("mt_leave")>;
/// (mt_update_atom, meeting_record edited) → meeting_record: from the directory.
using mt_update_atom = caf::atom_constant<caf::atom("mt_update")>;
/// (mt_end_atom, std::string reason, bool deleted) → ok_atom: from the directory.
using mt_end_atom = caf::atom_constant<caf::atom("mt_end")>;
/// (mt_idle_atom, uint64 generation): ends an empty meeting actor after a quiet period.
using mt_idle_atom = caf::atom_constant<caf::atom("mt_idle")>;
/// (mt_drop_atom, uint64 participant_id): the participant's connection dropped; it is "reconnecting".
using mt_drop_atom = caf::atom_constant<caf::atom("mt_drop")>;
/// (mt_grace_atom, uint64 participant_id, uint64 generation): the reconnect grace period ended.
using mt_grace_atom = caf::atom_constant<caf::atom("mt_grace")>;
/// (mt_flush_atom): send the batched roster changes (to self).
using mt_flush_atom = caf::atom_constant<caf::atom("mt_flush")>;
/// (mt_persist_atom): write the live state if it changed (to self).
using mt_persist_atom = caf::atom_constant<caf::atom("mt_persist")>;

// Directory, for guests.
/// (dir_guest_atom, uint64 meeting_id, std::string display_name, std::string address) →
/// (std::string guest_token, uint64 guest_id, int64 expires_at) once durable; errors not_found, forbidden, rate_limited.
using dir_guest_atom = caf::atom_constant<caf::atom("dr_guest")>;

// Meeting → session.
/// (mt_event_atom, std::string name, std::vector<uint8_t> packed_data): push as an event.
using mt_event_atom = caf::atom_constant<caf::atom("mt_event")>;
/// (mt_frame_atom, shared_frame): push this event, already encoded once for every recipient.
using mt_frame_atom = caf::atom_constant<caf::atom("mt_frame")>;
/// (mt_frames_atom, std::vector<shared_frame>): push these events, in this order.
using mt_frames_atom = caf::atom_constant<caf::atom("mt_frames")>;
/// (mt_detach_atom, uint64 participant_id): the participant is no longer in the meeting.
using mt_detach_atom = caf::atom_constant<caf::atom("mt_detach")>;

struct join_request {
  uint64_t participant_id = 0; // chosen by the session, random
  accounts::user_profile user;
  std::string display_name;
  bool has_password = false;
  std::string password;
  std::string resume_token; // from an earlier join result: resume that participant
  bool guest = false;       // user.id is a guest id from a guest token
  std::string address;      // the client's address (password throttling, guest bans)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, join_request& x) {
  return f(caf::meta::type_name("parley.join_request"), x.participant_id, x.user, x.display_name, x.has_password,
           x.password, x.resume_token, x.guest, x.address);
}

/// One in-meeting op, decoded by the session into typed fields (which fields count depends on op).
struct meeting_command {
  std::string op;              // e.g. "meeting.lock", "participant.kick", "chat.send"
  uint64_t participant_id = 0; // who asks
  uint64_t target = 0;         // participant_id argument (0: none)
  bool all = false;            // participant_id was "all"
  bool flag = false;           // locked / ban / muted / off
  std::string kind;            // audio | video; a role; chat text
  uint64_t before_seq = 0;
  uint32_t limit = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, meeting_command& x) {
  return f(caf::meta::type_name("parley.meeting_command"), x.op, x.participant_id, x.target, x.all, x.flag, x.kind,
           x.before_seq, x.limit);
}

} // namespace parley::actors
