// The chat channel of one IM conversation: its total order, durable timeline, members and fan-out.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/node_context.hpp"
#include "messaging/conversation_record.hpp"

namespace parley::actors {

/// Spawned (linked) by the messaging directory, one per conversation per node. It assigns every
/// timeline entry its seq, acknowledges a send only after the store made it durable, then pushes
/// it to every member through `directory` (which reaches their inboxes) — in seq order.
caf::actor spawn_chat_channel(caf::local_actor* parent, std::shared_ptr<const node_context> ctx, caf::actor store,
                              caf::actor directory, messaging::conversation_record record);

} // namespace parley::actors
