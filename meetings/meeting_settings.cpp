// Settings validation: every field typed and bounded, unknown fields refused.
#include "meetings/meeting_settings.hpp"

#include <string_view>

namespace parley::meetings {

namespace {

std::optional<std::string> read_bool(const msgpack::object& value, std::string_view name, bool& out) {
  if (value.type != msgpack::type::BOOLEAN)
    return "settings." + std::string{name} + " must be a boolean";
  out = value.via.boolean;
  return std::nullopt;
}

std::optional<std::string> read_choice(const msgpack::object& value, std::string_view name, std::string& out,
                                       std::initializer_list<std::string_view> choices) {
  std::string allowed;
  for (auto choice : choices)
    allowed += (allowed.empty() ? "" : " | ") + std::string{choice};
  if (value.type == msgpack::type::STR) {
    std::string_view text{value.via.str.ptr, value.via.str.size};
    for (auto choice : choices)
      if (text == choice) {
        out = std::string{text};
        return std::nullopt;
      }
  }
  return "settings." + std::string{name} + " must be one of " + allowed;
}

} // namespace

std::optional<std::string> apply_settings(const msgpack::object& update, meeting_settings& settings) {
  if (update.type != msgpack::type::MAP)
    return "settings must be a map";
  auto next = settings;
  for (uint32_t i = 0; i < update.via.map.size; ++i) {
    const auto& kv = update.via.map.ptr[i];
    if (kv.key.type != msgpack::type::STR)
      return "settings keys must be strings";
    std::string_view key{kv.key.via.str.ptr, kv.key.via.str.size};
    std::optional<std::string> problem;
    if (key == "waiting_room")
      problem = read_bool(kv.val, key, next.waiting_room);
    else if (key == "join_before_host")
      problem = read_bool(kv.val, key, next.join_before_host);
    else if (key == "mute_on_entry")
      problem = read_bool(kv.val, key, next.mute_on_entry);
    else if (key == "allow_unmute_self")
      problem = read_bool(kv.val, key, next.allow_unmute_self);
    else if (key == "multi_share")
      problem = read_bool(kv.val, key, next.multi_share);
    else if (key == "private_chat")
      problem = read_bool(kv.val, key, next.private_chat);
    else if (key == "guests_allowed")
      problem = read_bool(kv.val, key, next.guests_allowed);
    else if (key == "allow_rename")
      problem = read_bool(kv.val, key, next.allow_rename);
    else if (key == "greeter")
      problem = read_bool(kv.val, key, next.greeter);
    else if (key == "sms_verified_only")
      problem = read_bool(kv.val, key, next.sms_verified_only);
    else if (key == "screen_share")
      problem = read_choice(kv.val, key, next.screen_share, {"host", "all"});
    else if (key == "chat")
      problem = read_choice(kv.val, key, next.chat, {"everyone", "host_only", "off"});
    else if (key == "max_participants") {
      if (kv.val.type != msgpack::type::POSITIVE_INTEGER || kv.val.via.u64 < 2
          || kv.val.via.u64 > max_participants_cap)
        problem = "settings.max_participants must be an integer from 2 to " + std::to_string(max_participants_cap);
      else
        next.max_participants = static_cast<uint32_t>(kv.val.via.u64);
    } else
      problem = "unknown setting '" + std::string{key} + "'";
    if (problem)
      return problem;
  }
  settings = next;
  return std::nullopt;
}

void pack_settings(msgpack::packer<msgpack::sbuffer>& pk, const meeting_settings& s) {
  pk.pack_map(13);
  pk.pack("waiting_room");
  pk.pack(s.waiting_room);
  pk.pack("join_before_host");
  pk.pack(s.join_before_host);
  pk.pack("mute_on_entry");
  pk.pack(s.mute_on_entry);
  pk.pack("allow_unmute_self");
  pk.pack(s.allow_unmute_self);
  pk.pack("screen_share");
  pk.pack(s.screen_share);
  pk.pack("multi_share");
  pk.pack(s.multi_share);
  pk.pack("chat");
  pk.pack(s.chat);
  pk.pack("private_chat");
  pk.pack(s.private_chat);
  pk.pack("guests_allowed");
  pk.pack(s.guests_allowed);
  pk.pack("max_participants");
  pk.pack(s.max_participants);
  pk.pack("allow_rename");
  pk.pack(s.allow_rename);
  pk.pack("greeter");
  pk.pack(s.greeter);
  pk.pack("sms_verified_only");
  pk.pack(s.sms_verified_only);
}

} // namespace parley::meetings
