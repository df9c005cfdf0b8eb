// Announces every message type of the node to CAF once, under the same names on every node.
#pragma once

#include <caf/fwd.hpp>

namespace parley::actors {

void register_message_types(caf::actor_system_config& cfg);

} // namespace parley::actors
