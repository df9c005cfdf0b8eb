// The meeting ops a session serves: scheduling (meeting.*, user.pmi.*) and in-meeting controls and chat.
#pragma once

#include <caf/fwd.hpp>

#include "actors/session_ops.hpp"

namespace parley::actors {

/// meeting.create/get/update/delete/list, user.pmi.get/set, meeting.join/leave/end, host controls,
/// participant controls, chat.send/history.
void add_meeting_ops(op_table& table);

/// auth.hello with a guest token (from auth.guest): signs the connection in as that guest and
/// replies; false (nothing sent) if the token is not a valid guest token.
bool hello_as_guest(session_actor* self, protocol::request& req, std::string_view token);

/// Called by the session when its connection is gone: leaves the meeting it is in.
void leave_meeting_on_disconnect(session_actor* self);
/// The meeting says this participant is out (removed, denied, ended): forget the handle.
void detach_from_meeting(session_actor* self, uint64_t participant_id);
/// A monitored meeting actor went down without detaching us: tell the client.
void on_meeting_down(session_actor* self, const caf::down_msg& msg);

} // namespace parley::actors
