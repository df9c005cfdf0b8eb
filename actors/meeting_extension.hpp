// Meeting extensions: actors that receive a meeting's event stream and act with the rights they are granted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "meetings/meeting_settings.hpp"

namespace parley::actors {

/// One kind of extension. The meeting actor starts it while `enabled(settings)` holds and stops it
/// otherwise. The extension then receives every event joined participants receive, as
/// `(mt_event_atom, std::string name, std::vector<uint8_t> msgpack_data)`, and may send
/// `(mt_command_atom, meeting_command)` with `participant_id` = its extension id, for the ops
/// listed in `rights` only (anything else is `forbidden`).
struct extension_kind {
  std::string name;                 // shown as the sender of its chat messages
  std::vector<std::string> rights;  // op names it may use, e.g. "chat.send"
  bool (*enabled)(const meetings::meeting_settings&);
  /// Spawns the extension for the meeting `meeting` (the caller), with its extension id.
  caf::actor (*spawn)(caf::local_actor* meeting, uint64_t extension_id);
};

/// Every extension kind the server ships (see docs/extensions.md to add one).
const std::vector<extension_kind>& extension_kinds();

/// The greeter: welcomes each joiner in chat; on when the meeting setting `greeter` is true.
caf::actor spawn_greeter(caf::local_actor* meeting, uint64_t extension_id);

} // namespace parley::actors
