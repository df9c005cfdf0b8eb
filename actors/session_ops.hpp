// The ops a session serves, as a table of name → handler that each feature adds its ops to.
#pragma once

#include <string_view>
#include <unordered_map>

#include "actors/session_state.hpp"

namespace parley::actors {

/// Handles one decoded request. It must answer exactly once, now or later (via the sink).
using op_handler = void (*)(session_actor*, protocol::request&);

struct op_entry {
  op_handler handler;
  bool needs_auth = true;
};

using op_table = std::unordered_map<std::string_view, op_entry>;

/// auth.hello, sys.ping
void add_system_ops(op_table& table);

/// Every op of the node, built once.
const op_table& session_op_table();

} // namespace parley::actors
