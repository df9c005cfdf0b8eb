// The rules of a live meeting as a plain class: who may join and in which state, roles, lock,
// bans, waiting room, mutes, hands, and who may chat with whom. The meeting actor owns one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

#include "meetings/meeting_record.hpp"
#include "protocol/error_code.hpp"

namespace parley::meetings {

enum class role : uint8_t { participant, cohost, host };
enum class presence : uint8_t { joined, waiting, waiting_for_host };

} // namespace parley::meetings

MSGPACK_ADD_ENUM(parley::meetings::role);
MSGPACK_ADD_ENUM(parley::meetings::presence);

namespace parley::meetings {

std::string_view to_string(role r) noexcept;
std::string_view to_string(presence p) noexcept;
std::optional<role> role_from_string(std::string_view text) noexcept;

struct participant {
  uint64_t id = 0;
  uint64_t user_id = 0;
  std::string display_name;
  meetings::role role = role::participant;
  meetings::presence presence = presence::joined;
  bool audio_muted = false;
  bool video_off = true;
  bool hand_raised = false;
  int64_t joined_at = 0; // unix ms, strictly increasing in order of arrival (ties broken by +1 ms)
  bool connected = true;    // false: "reconnecting" until a connection resumes it or the grace period ends
  bool can_record = false;  // the host allowed this participant to record (enforced with recording)
  bool guest = false;       // joined with a guest token, not an account
  std::string resume_token; // secret: lets a new connection resume this participant
  std::string guest_address; // a guest's network address, kept so a ban keeps them out (never sent to clients)
  MSGPACK_DEFINE_MAP(id, user_id, display_name, role, presence, audio_muted, video_off, hand_raised, joined_at,
                     connected, can_record, guest, resume_token, guest_address)
};

/// What of a live meeting survives a restart (stored under the meeting's id, see meeting_repository).
struct live_snapshot {
  bool locked = false;
  bool host_arrived = false;
  bool share_paused = false;
  std::vector<uint64_t> banned;
  std::vector<std::string> banned_addresses;
  std::vector<participant> participants;
  MSGPACK_DEFINE_MAP(locked, host_arrived, share_paused, banned, banned_addresses, participants)
};

/// Why an action was refused: the code the client sees and a message.
struct refusal {
  protocol::error_code code;
  std::string message;
};

class live_meeting {
public:
  explicit live_meeting(meeting_record record) : record_(std::move(record)) {}

  const meeting_record& record() const noexcept { return record_; }
  meeting_record& record() noexcept { return record_; }
  bool locked() const noexcept { return locked_; }
  bool host_present() const noexcept;
  const std::map<uint64_t, participant>& participants() const noexcept { return participants_; }
  const participant* find(uint64_t participant_id) const noexcept;
  /// Joined participants only (what a roster shows).
  size_t joined_count() const noexcept;
  bool empty() const noexcept { return participants_.empty(); }

  /// Whether `user_id` may enter now: ended, banned, password, lock, capacity — in that order.
  /// The meeting's host skips password, lock and capacity.
  /// Guests also need `guests_allowed`; a banned guest's address stays banned.
  std::optional<refusal> check_entry(uint64_t user_id, std::optional<std::string_view> password, bool guest = false,
                                     std::string_view address = {}) const;
  /// The participant a new connection of `user_id` resumes: one of theirs that is reconnecting.
  const participant* reconnecting_of(uint64_t user_id) const noexcept;
  /// The participant holding this resume token (any connection state).
  const participant* by_resume_token(std::string_view token) const noexcept;
  /// Marks a participant connected or reconnecting; false if unknown or unchanged.
  bool set_connected(uint64_t participant_id, bool connected);

  /// Adds a participant who passed check_entry and decides their presence. When the host
  /// arrives, everyone who waited for the host moves on: their ids are returned. A host who
  /// comes back takes host from whoever held it meanwhile (see stand_in_demoted()).
  std::vector<uint64_t> add(participant p);
  /// Who held host until the meeting's own host came back with the last add() (now co-host).
  std::optional<uint64_t> stand_in_demoted() const noexcept { return stand_in_demoted_; }
  /// Removes a participant; returns them (nullopt if unknown).
  std::optional<participant> remove(uint64_t participant_id);
  /// When no joined host remains, host passes to the longest-present co-host, else to the
  /// longest-present participant. Returns the new host's id, if host changed hands.
  std::optional<uint64_t> pass_host();

  /// Refusal unless `actor_id` is a joined host or co-host.
  std::optional<refusal> check_control(uint64_t actor_id) const;
  /// Refusal unless `actor_id` is a joined participant.
  std::optional<refusal> check_joined(uint64_t actor_id) const;

  void set_locked(bool locked) noexcept { locked_ = locked; }
  /// Waiting → joined. Refusal if the participant is not in the waiting room.
  std::optional<refusal> admit(uint64_t participant_id);
  void ban(uint64_t user_id) { banned_.insert(user_id); }
  void ban_address(std::string address) { banned_addresses_.insert(std::move(address)); }
  bool banned(uint64_t user_id) const { return banned_.count(user_id) > 0; }

  /// The host (only) changes roles; making someone host hands host over (the old host becomes co-host).
  std::optional<refusal> set_role(uint64_t actor_id, uint64_t target_id, role new_role);
  /// Whether `actor_id` may remove `target_id`: controls, and nobody removes the host but the host.
  std::optional<refusal> check_remove(uint64_t actor_id, uint64_t target_id) const;

  /// Mutes one participant's audio or video. Returns false if nothing changed.
  bool mute(uint64_t participant_id, std::string_view kind);
  /// Mutes everyone but hosts and co-hosts; returns the ids that changed.
  std::vector<uint64_t> mute_all(std::string_view kind);
  /// A participant's own audio/video. Unmuting needs allow_unmute_self unless they control.
  std::optional<refusal> set_self_audio(uint64_t participant_id, bool muted);
  void set_self_video(uint64_t participant_id, bool off);
  /// Returns false if the hand was already in that state.
  bool set_hand(uint64_t participant_id, bool raised);
  /// Returns false if unknown or unchanged.
  bool set_can_record(uint64_t participant_id, bool allowed);
  bool rename(uint64_t participant_id, std::string display_name);
  /// Whether `actor_id` may rename `target_id`: oneself if allow_rename (or one controls), others if one controls.
  std::optional<refusal> check_rename(uint64_t actor_id, uint64_t target_id) const;

  /// The host paused everyone's screen sharing (the media plane stops forwarding shares while set).
  bool share_paused() const noexcept { return share_paused_; }
  void set_share_paused(bool paused) noexcept { share_paused_ = paused; }

  live_snapshot snapshot() const;
  /// Replaces the live state with a stored one; every participant comes back reconnecting.
  void restore(const live_snapshot& stored);

  /// Whether `sender_id` may send a message to everyone (to_id 0) or privately to `to_id`,
  /// under the chat setting (everyone | host_only | off) and private_chat.
  std::optional<refusal> check_chat(uint64_t sender_id, uint64_t to_id) const;

  /// The highest number of joined participants seen.
  uint32_t peak() const noexcept { return record_.peak_participants; }

  bool controls(const participant& p) const noexcept {
    return p.presence == presence::joined && p.role != role::participant;
  }
private:
  participant* find_mutable(uint64_t id) noexcept;
  void note_peak() noexcept;

  meeting_record record_;
  std::map<uint64_t, participant> participants_;
  int64_t latest_arrival_ = 0; // the newest joined_at: arrivals in the same ms still get distinct, ordered times
  std::optional<uint64_t> stand_in_demoted_;
  std::set<uint64_t> banned_;
  std::set<std::string> banned_addresses_;
  bool locked_ = false;
  bool share_paused_ = false;
  bool host_arrived_ = false; // once the host has been in, nobody waits for the host any more
};

} // namespace parley::meetings
