// Messages of the media plane's control side: session → meeting → router, worker → router.
// Every field is a built-in type, so none needs registering.
#pragma once

#include <caf/atom.hpp>

namespace parley::actors {

/// Session → meeting: (mt_media_atom, std::string op, uint64 participant_id, std::vector<uint8_t>
/// packed args) → std::vector<uint8_t> packed result. The meeting checks that the sender joined
/// as that participant, then delegates to its router.
using mt_media_atom = caf::atom_constant<caf::atom("mt_media")>;
/// Router → meeting: (mt_media_event_atom, std::string name, std::vector<uint8_t> data, uint64 to):
/// push an event to participant `to`, or to every joined participant when `to` is 0.
using mt_media_event_atom = caf::atom_constant<caf::atom("mt_mevent")>;

/// Meeting → router: (rt_request_atom, std::string op, uint64 participant_id, bool audio_allowed,
/// bool video_allowed, std::vector<uint8_t> args) → std::vector<uint8_t> result.
using rt_request_atom = caf::atom_constant<caf::atom("rt_req")>;
/// Meeting → router: (rt_allow_atom, uint64 participant_id, bool audio_allowed, bool video_allowed).
using rt_allow_atom = caf::atom_constant<caf::atom("rt_allow")>;
/// Meeting → router: (rt_share_atom, bool paused): the host paused (or resumed) screen sharing;
/// the worker drops every screen-share producer's packets while paused.
using rt_share_atom = caf::atom_constant<caf::atom("rt_share")>;
/// Meeting → router: (rt_leave_atom, uint64 participant_id): their media goes away.
using rt_leave_atom = caf::atom_constant<caf::atom("rt_leave")>;
/// Media worker → router: (rt_transport_atom, uint64 transport_id, std::string state, std::string
/// detail): "connected" with the SRTP profile, or "closed" with the reason.
using rt_transport_atom = caf::atom_constant<caf::atom("rt_trans")>;
/// Router → itself: (rt_tick_atom): periodic active-speaker check.
using rt_tick_atom = caf::atom_constant<caf::atom("rt_tick")>;
/// Worker → router: (rt_speaker_atom, uint64 producer_id or 0).
using rt_speaker_atom = caf::atom_constant<caf::atom("rt_spkr")>;

} // namespace parley::actors
