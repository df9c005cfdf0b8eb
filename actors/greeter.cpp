// The greeter extension: says "Welcome, <name>!" in the meeting chat whenever someone joins.
#include <chrono>

#include <caf/all.hpp>
#include <msgpack.hpp>

#include "actors/meeting_extension.hpp"
#include "actors/meeting_messages.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

/// Display names of the participants an event says joined (participant.joined, roster.changed).
std::vector<std::string> joined_names(const std::string& event, const std::vector<uint8_t>& data) {
  std::vector<std::string> names;
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(reinterpret_cast<const char*>(data.data()), data.size());
  } catch (const std::exception&) {
    return names;
  }
  const auto& root = handle.get();
  if (root.type != msgpack::type::MAP)
    return names;
  auto field = [](const msgpack::object& map, std::string_view key) -> const msgpack::object* {
    if (map.type != msgpack::type::MAP)
      return nullptr;
    for (uint32_t i = 0; i < map.via.map.size; ++i) {
      const auto& kv = map.via.map.ptr[i];
      if (kv.key.type == msgpack::type::STR && std::string_view{kv.key.via.str.ptr, kv.key.via.str.size} == key)
        return &kv.val;
    }
    return nullptr;
  };
  auto name_of = [&](const msgpack::object& participant) {
    auto* name = field(participant, "display_name");
    if (name && name->type == msgpack::type::STR)
      names.emplace_back(name->via.str.ptr, name->via.str.size);
  };
  if (event == "participant.joined") {
    if (auto* p = field(root, "participant"))
      name_of(*p);
  } else if (event == "roster.changed") {
    if (auto* joined = field(root, "joined"); joined && joined->type == msgpack::type::ARRAY)
      for (uint32_t i = 0; i < joined->via.array.size; ++i)
        name_of(joined->via.array.ptr[i]);
  }
  return names;
}

caf::behavior greeter(caf::event_based_actor* self, caf::actor meeting, uint64_t extension_id) {
  return {
    [self, meeting, extension_id](mt_event_atom, const std::string& name, const std::vector<uint8_t>& data) {
      for (const auto& joiner : joined_names(name, data)) {
        meeting_command cmd;
        cmd.op = "chat.send";
        cmd.participant_id = extension_id;
        cmd.kind = "Welcome, " + joiner + "!";
        self->request(meeting, std::chrono::seconds{30}, mt_command_atom::value, std::move(cmd))
          .then([](const std::vector<uint8_t>&) {},
                [](caf::error& err) {
                  telemetry::logger("greeter")->warn("could not greet: {}", caf::to_string(err));
                });
      }
    },
  };
}

bool greeter_enabled(const meetings::meeting_settings& settings) {
  return settings.greeter;
}

} // namespace

caf::actor spawn_greeter(caf::local_actor* meeting, uint64_t extension_id) {
  return meeting->spawn(greeter, caf::actor_cast<caf::actor>(meeting), extension_id);
}

const std::vector<extension_kind>& extension_kinds() {
  static const std::vector<extension_kind> kinds{
    extension_kind{"Greeter", {"chat.send"}, greeter_enabled, spawn_greeter},
  };
  return kinds;
}

} // namespace parley::actors
