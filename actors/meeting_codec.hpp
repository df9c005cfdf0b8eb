// How meetings, participants and chat messages appear on the wire (msgpack maps).
#pragma once

#include <msgpack.hpp>

#include "accounts/access_token.hpp"
#include "meetings/chat_record.hpp"
#include "meetings/live_meeting.hpp"
#include "meetings/meeting_id.hpp"
#include "meetings/meeting_record.hpp"
#include "protocol/envelope.hpp"

namespace parley::actors {

using meeting_packer = msgpack::packer<msgpack::sbuffer>;

inline protocol::packed to_packed(const msgpack::sbuffer& buffer) {
  return protocol::packed(buffer.data(), buffer.data() + buffer.size());
}

/// {participant_id, user_id, display_name, role, state, audio_muted, video_off, hand_raised,
///  reconnecting, can_record, guest}
inline void pack_participant(meeting_packer& pk, const meetings::participant& p) {
  pk.pack_map(11);
  pk.pack("participant_id");
  pk.pack(accounts::id_to_hex(p.id));
  pk.pack("user_id");
  pk.pack(accounts::id_to_hex(p.user_id));
  pk.pack("display_name");
  pk.pack(p.display_name);
  pk.pack("role");
  pk.pack(std::string{meetings::to_string(p.role)});
  pk.pack("state");
  pk.pack(std::string{meetings::to_string(p.presence)});
  pk.pack("audio_muted");
  pk.pack(p.audio_muted);
  pk.pack("video_off");
  pk.pack(p.video_off);
  pk.pack("hand_raised");
  pk.pack(p.hand_raised);
  pk.pack("reconnecting");
  pk.pack(!p.connected);
  pk.pack("can_record");
  pk.pack(p.can_record);
  pk.pack("guest");
  pk.pack(p.guest);
}

/// {meeting_id, topic, host_id, start_at, duration_min, has_password, settings, created_at,
///  started_at, ended_at, peak_participants}; never the password hash.
inline void pack_meeting(meeting_packer& pk, const meetings::meeting_record& m) {
  pk.pack_map(11);
  pk.pack("meeting_id");
  pk.pack(meetings::meeting_id_to_string(m.id));
  pk.pack("topic");
  pk.pack(m.topic);
  pk.pack("host_id");
  pk.pack(accounts::id_to_hex(m.host_id));
  pk.pack("start_at");
  pk.pack(m.start_at);
  pk.pack("duration_min");
  pk.pack(m.duration_min);
  pk.pack("has_password");
  pk.pack(!m.password_hash.empty());
  pk.pack("settings");
  meetings::pack_settings(pk, m.settings);
  pk.pack("created_at");
  pk.pack(m.created_at);
  pk.pack("started_at");
  pk.pack(m.started_at);
  pk.pack("ended_at");
  pk.pack(m.ended_at);
  pk.pack("peak_participants");
  pk.pack(m.peak_participants);
}

/// {seq, from, from_user, from_name, to?, to_user?, text, at}
inline void pack_chat(meeting_packer& pk, const meetings::chat_record& c) {
  pk.pack_map(c.is_private() ? 8 : 6);
  pk.pack("seq");
  pk.pack(c.seq);
  pk.pack("from");
  pk.pack(accounts::id_to_hex(c.from_participant));
  pk.pack("from_user");
  pk.pack(accounts::id_to_hex(c.from_user));
  pk.pack("from_name");
  pk.pack(c.from_name);
  if (c.is_private()) {
    pk.pack("to");
    pk.pack(accounts::id_to_hex(c.to_participant));
    pk.pack("to_user");
    pk.pack(accounts::id_to_hex(c.to_user));
  }
  pk.pack("text");
  pk.pack(c.text);
  pk.pack("at");
  pk.pack(c.at);
}

} // namespace parley::actors
