// Messages between the edge and a connection's session actor.
#pragma once

#include <cstdint>
#include <vector>

#include <caf/atom.hpp>

namespace parley::actors {

/// (frame_atom, std::vector<uint8_t>): one binary WebSocket message from the client.
using frame_atom = caf::atom_constant<caf::atom("se_frame")>;
/// (text_frame_atom): the client sent a text message, which the protocol does not use.
using text_frame_atom = caf::atom_constant<caf::atom("se_text")>;
/// (disconnected_atom): the connection is gone; the session ends.
using disconnected_atom = caf::atom_constant<caf::atom("se_gone")>;

} // namespace parley::actors
