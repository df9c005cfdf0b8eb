// Messages between sessions, the messaging directory, chat channels and inboxes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

namespace parley::actors {

// Messaging directory (registry name `messaging`).
/// (im_route_atom, im_command) → std::vector<uint8_t>: the conversation's channel answers
/// (activated on demand); error not_found if there is no such conversation.
using im_route_atom = caf::atom_constant<caf::atom("im_route")>;
/// (im_direct_atom, uint64 user, uint64 peer) → std::vector<uint8_t>: the pair's conversation,
/// created (durably) the first time.
using im_direct_atom = caf::atom_constant<caf::atom("im_direct")>;
/// (im_group_atom, im_command) → std::vector<uint8_t>: a new group owned by command.user.
using im_group_atom = caf::atom_constant<caf::atom("im_group")>;
/// (im_attach_atom, uint64 user, caf::actor session): a signed-in connection of the user.
using im_attach_atom = caf::atom_constant<caf::atom("im_attach")>;
/// (im_deliver_atom, std::vector<uint64_t> users, std::string name, std::vector<uint8_t> data):
/// push an event to every connection of those users that is online.
using im_deliver_atom = caf::atom_constant<caf::atom("im_deliver")>;
/// (im_presence_atom, uint64 user, std::string status): set by a client (online | away), or
/// reported by an inbox to the directory.
using im_presence_atom = caf::atom_constant<caf::atom("im_presnc")>;
/// (im_presence_get_atom, std::vector<uint64_t> users) → std::vector<std::string> statuses.
using im_presence_get_atom = caf::atom_constant<caf::atom("im_presget")>;

/// (im_idle_atom, uint64 conversation, uint64 commands) → bool: a chat channel that has been idle
/// (no command, no write in flight) offers to retire. The directory agrees (true, and forgets it) only
/// if it routed exactly `commands` commands to it, i.e. none is still on its way; the next op then
/// activates a fresh channel, which reads last_seq only after every write of the old one is durable.
using im_idle_atom = caf::atom_constant<caf::atom("im_idle")>;

// Chat channel.
/// (im_command_atom, im_command) → std::vector<uint8_t>: one conversation op (from the directory).
using im_command_atom = caf::atom_constant<caf::atom("im_cmd")>;
/// (im_tick_atom): the channel's own idle check.
using im_tick_atom = caf::atom_constant<caf::atom("im_tick")>;

// Inbox.
/// (im_event_atom, std::string name, std::vector<uint8_t> data): push to all the user's connections.
using im_event_atom = caf::atom_constant<caf::atom("im_event")>;
/// (im_retire_atom): the user's last connection is gone; the inbox ends.
using im_retire_atom = caf::atom_constant<caf::atom("im_retire")>;

/// One conversation op, decoded by the session into typed fields (which fields count depends on op).
struct im_command {
  std::string op;            // the wire op, e.g. "im.send", "im.history", "image.upload"
  uint64_t conversation = 0; // 0 for ops that create one
  uint64_t user = 0;         // who asks (the session's signed-in user)
  std::string kind;          // im.send: text | image | invite
  std::string text;          // message text, new name, or invite note
  std::string client_id;     // im.send: idempotency key
  uint64_t seq = 0;          // edit/delete target, history before, sync after, read up to
  uint32_t limit = 0;
  uint64_t file_id = 0;         // image
  std::vector<uint64_t> users;  // members to add / remove
  bool flag = false;            // typing
  std::string data;             // image.upload: the bytes; invite: the meeting id
  std::string mime;             // image.upload
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, im_command& x) {
  return f(caf::meta::type_name("parley.im_command"), x.op, x.conversation, x.user, x.kind, x.text, x.client_id,
           x.seq, x.limit, x.file_id, x.users, x.flag, x.data, x.mime);
}

} // namespace parley::actors
