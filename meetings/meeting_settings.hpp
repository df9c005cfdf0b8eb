// A meeting's settings: defaults, validation of a client's partial update, wire encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/meta/type_name.hpp>
#include <msgpack.hpp>

namespace parley::meetings {

inline constexpr uint32_t default_max_participants = 100;
inline constexpr uint32_t max_participants_cap = 1000;

struct meeting_settings {
  bool waiting_room = false;
  bool join_before_host = false;
  bool mute_on_entry = false;
  bool allow_unmute_self = true;
  std::string screen_share = "host"; // host | all
  bool multi_share = false;
  std::string chat = "everyone"; // everyone | host_only | off
  bool private_chat = true;
  bool guests_allowed = false;
  uint32_t max_participants = default_max_participants;
  bool allow_rename = true; // participants may change their own display name
  bool greeter = false;     // the greeter extension welcomes joiners in chat
  bool sms_verified_only = false; // only users with an SMS-verified phone number may join
  MSGPACK_DEFINE_MAP(waiting_room, join_before_host, mute_on_entry, allow_unmute_self, screen_share, multi_share,
                     chat, private_chat, guests_allowed, max_participants, allow_rename, greeter, sms_verified_only)

  friend bool operator==(const meeting_settings&, const meeting_settings&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, meeting_settings& x) {
  return f(caf::meta::type_name("parley.meetings.meeting_settings"), x.waiting_room, x.join_before_host,
           x.mute_on_entry, x.allow_unmute_self, x.screen_share, x.multi_share, x.chat, x.private_chat,
           x.guests_allowed, x.max_participants, x.allow_rename, x.greeter, x.sms_verified_only);
}

/// Applies the fields present in `update` (a msgpack map) to `settings`. Unknown keys and wrong
/// types are refused, so a typo is not silently ignored. Returns the problem, or nullopt.
/// On a problem `settings` is left unchanged.
std::optional<std::string> apply_settings(const msgpack::object& update, meeting_settings& settings);

/// Packs the settings as a map with the field names above.
void pack_settings(msgpack::packer<msgpack::sbuffer>& pk, const meeting_settings& settings);

} // namespace parley::meetings
