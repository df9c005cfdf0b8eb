// The messaging ops a session serves: conversations, messages, receipts, typing, people search, presence.
#pragma once

#include "actors/session_ops.hpp"

namespace parley::actors {

/// im.*, people.search, presence.set/get (docs/protocol.md, Messaging).
void add_messaging_ops(op_table& table);

/// Called once a connection has signed in: registers it with the user's inbox, so IM events reach it.
void attach_to_inbox(session_actor* self);

} // namespace parley::actors
