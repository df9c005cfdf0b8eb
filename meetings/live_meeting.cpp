// Live meeting rules. Every refusal carries the stable error code the client sees.
#include "meetings/live_meeting.hpp"

#include <algorithm>

#include "meetings/meeting_password.hpp"

namespace parley::meetings {

using protocol::error_code;

std::string_view to_string(role r) noexcept {
  switch (r) {
    case role::host:
      return "host";
    case role::cohost:
      return "cohost";
    default:
      return "participant";
  }
}

std::string_view to_string(presence p) noexcept {
  switch (p) {
    case presence::waiting:
      return "waiting";
    case presence::waiting_for_host:
      return "waiting_for_host";
    default:
      return "joined";
  }
}

std::optional<role> role_from_string(std::string_view text) noexcept {
  if (text == "host")
    return role::host;
  if (text == "cohost")
    return role::cohost;
  if (text == "participant")
    return role::participant;
  return std::nullopt;
}

bool live_meeting::host_present() const noexcept {
  for (const auto& [id, p] : participants_)
    if (p.role == role::host && p.presence == presence::joined)
      return true;
  return false;
}

const participant* live_meeting::find(uint64_t participant_id) const noexcept {
  auto it = participants_.find(participant_id);
  return it == participants_.end() ? nullptr : &it->second;
}

participant* live_meeting::find_mutable(uint64_t participant_id) noexcept {
  auto it = participants_.find(participant_id);
  return it == participants_.end() ? nullptr : &it->second;
}

size_t live_meeting::joined_count() const noexcept {
  size_t n = 0;
  for (const auto& [id, p] : participants_)
    n += p.presence == presence::joined;
  return n;
}

void live_meeting::note_peak() noexcept {
  auto n = static_cast<uint32_t>(joined_count());
  if (n > record_.peak_participants)
    record_.peak_participants = n;
}

std::optional<refusal> live_meeting::check_entry(uint64_t user_id, std::optional<std::string_view> password,
                                                 bool guest, std::string_view address) const {
  if (record_.ended_at != 0)
    return refusal{error_code::meeting_ended, "this meeting has ended"};
  if (banned(user_id) || (guest && banned_addresses_.count(std::string{address})))
    return refusal{error_code::banned, "you were removed from this meeting and cannot rejoin"};
  if (guest && !record_.settings.guests_allowed)
    return refusal{error_code::forbidden, "this meeting is for signed-in users only"};
  if (user_id == record_.host_id)
    return std::nullopt;
  if (!record_.password_hash.empty()
      && (!password || !verify_meeting_password(record_.password_hash, *password)))
    return refusal{error_code::bad_password, "wrong or missing meeting password"};
  if (locked_)
    return refusal{error_code::meeting_locked, "the host has locked this meeting"};
  if (participants_.size() >= record_.settings.max_participants)
    return refusal{error_code::meeting_full, "this meeting is full"};
  return std::nullopt;
}

const participant* live_meeting::reconnecting_of(uint64_t user_id) const noexcept {
  for (const auto& [id, p] : participants_)
    if (p.user_id == user_id && !p.connected)
      return &p;
  return nullptr;
}

const participant* live_meeting::by_resume_token(std::string_view token) const noexcept {
  if (token.empty())
    return nullptr;
  for (const auto& [id, p] : participants_)
    if (p.resume_token == token)
      return &p;
  return nullptr;
}

bool live_meeting::set_connected(uint64_t participant_id, bool connected) {
  auto* p = find_mutable(participant_id);
  if (!p || p->connected == connected)
    return false;
  p->connected = connected;
  return true;
}

std::vector<uint64_t> live_meeting::add(participant p) {
  std::vector<uint64_t> released;
  stand_in_demoted_.reset();
  // "Longest present" decides hand-overs, so arrival times must be distinct even within one ms.
  p.joined_at = std::max(p.joined_at, latest_arrival_ + 1);
  latest_arrival_ = p.joined_at;
  const bool is_host = p.user_id == record_.host_id;
  if (is_host) {
    // The meeting's own host always comes back as host; whoever held it meanwhile keeps co-host.
    for (auto& [id, other] : participants_)
      if (other.role == role::host) {
        other.role = role::cohost;
        stand_in_demoted_ = id;
      }
    p.role = role::host;
    p.presence = presence::joined;
    if (!host_arrived_) {
      host_arrived_ = true;
      for (auto& [id, other] : participants_)
        if (other.presence == presence::waiting_for_host) {
          other.presence = record_.settings.waiting_room ? presence::waiting : presence::joined;
          released.push_back(id);
        }
    }
  } else {
    p.role = role::participant;
    if (!host_arrived_ && !record_.settings.join_before_host)
      p.presence = presence::waiting_for_host;
    else if (record_.settings.waiting_room)
      p.presence = presence::waiting;
    else
      p.presence = presence::joined;
    p.audio_muted = record_.settings.mute_on_entry;
  }
  participants_.emplace(p.id, std::move(p));
  note_peak();
  return released;
}

std::optional<participant> live_meeting::remove(uint64_t participant_id) {
  auto it = participants_.find(participant_id);
  if (it == participants_.end())
    return std::nullopt;
  auto p = std::move(it->second);
  participants_.erase(it);
  return p;
}

std::optional<uint64_t> live_meeting::pass_host() {
  if (host_present())
    return std::nullopt;
  participant* best = nullptr;
  for (auto& [id, p] : participants_) {
    if (p.presence != presence::joined)
      continue;
    auto better = [&](const participant& a, const participant& b) {
      if (a.connected != b.connected)
        return a.connected;
      if ((a.role == role::cohost) != (b.role == role::cohost))
        return a.role == role::cohost;
      return a.joined_at < b.joined_at;
    };
    if (!best || better(p, *best))
      best = &p;
  }
  if (!best)
    return std::nullopt;
  best->role = role::host;
  return best->id;
}

std::optional<refusal> live_meeting::check_joined(uint64_t actor_id) const {
  auto* p = find(actor_id);
  if (!p || p->presence != presence::joined)
    return refusal{error_code::forbidden, "only participants who have joined may do that"};
  return std::nullopt;
}

std::optional<refusal> live_meeting::check_control(uint64_t actor_id) const {
  auto* p = find(actor_id);
  if (!p || !controls(*p))
    return refusal{error_code::forbidden, "only the host and co-hosts may do that"};
  return std::nullopt;
}

std::optional<refusal> live_meeting::admit(uint64_t participant_id) {
  auto* p = find_mutable(participant_id);
  if (!p || p->presence != presence::waiting)
    return refusal{error_code::not_found, "no such participant in the waiting room"};
  p->presence = presence::joined;
  note_peak();
  return std::nullopt;
}

std::optional<refusal> live_meeting::set_role(uint64_t actor_id, uint64_t target_id, role new_role) {
  auto* actor = find(actor_id);
  if (!actor || actor->presence != presence::joined || actor->role != role::host)
    return refusal{error_code::forbidden, "only the host may change roles"};
  auto* target = find_mutable(target_id);
  if (!target || target->presence != presence::joined)
    return refusal{error_code::not_found, "no such participant in the meeting"};
  if (target_id == actor_id)
    return refusal{error_code::bad_request, "hand host to someone else instead"};
  if (new_role == role::host)
    find_mutable(actor_id)->role = role::cohost;
  target->role = new_role;
  return std::nullopt;
}

std::optional<refusal> live_meeting::check_remove(uint64_t actor_id, uint64_t target_id) const {
  if (auto refused = check_control(actor_id))
    return refused;
  auto* target = find(target_id);
  if (!target)
    return refusal{error_code::not_found, "no such participant"};
  if (target_id == actor_id)
    return refusal{error_code::bad_request, "use meeting.leave to leave"};
  if (target->role == role::host)
    return refusal{error_code::forbidden, "the host cannot be removed"};
  return std::nullopt;
}

bool live_meeting::mute(uint64_t participant_id, std::string_view kind) {
  auto* p = find_mutable(participant_id);
  if (!p)
    return false;
  bool& flag = kind == "video" ? p->video_off : p->audio_muted;
  if (flag)
    return false;
  flag = true;
  return true;
}

std::vector<uint64_t> live_meeting::mute_all(std::string_view kind) {
  std::vector<uint64_t> changed;
  for (auto& [id, p] : participants_)
    if (p.role == role::participant && p.presence == presence::joined && mute(id, kind))
      changed.push_back(id);
  return changed;
}

std::optional<refusal> live_meeting::set_self_audio(uint64_t participant_id, bool muted) {
  auto* p = find_mutable(participant_id);
  if (!p)
    return refusal{error_code::forbidden, "not in this meeting"};
  if (!muted && p->audio_muted && !controls(*p) && !record_.settings.allow_unmute_self)
    return refusal{error_code::forbidden, "the host does not allow participants to unmute themselves"};
  p->audio_muted = muted;
  return std::nullopt;
}

void live_meeting::set_self_video(uint64_t participant_id, bool off) {
  if (auto* p = find_mutable(participant_id))
    p->video_off = off;
}

bool live_meeting::set_hand(uint64_t participant_id, bool raised) {
  auto* p = find_mutable(participant_id);
  if (!p || p->hand_raised == raised)
    return false;
  p->hand_raised = raised;
  return true;
}

bool live_meeting::set_can_record(uint64_t participant_id, bool allowed) {
  auto* p = find_mutable(participant_id);
  if (!p || p->can_record == allowed)
    return false;
  p->can_record = allowed;
  return true;
}

bool live_meeting::rename(uint64_t participant_id, std::string display_name) {
  auto* p = find_mutable(participant_id);
  if (!p || p->display_name == display_name)
    return false;
  p->display_name = std::move(display_name);
  return true;
}

std::optional<refusal> live_meeting::check_rename(uint64_t actor_id, uint64_t target_id) const {
  if (auto refused = check_joined(actor_id))
    return refused;
  const auto& actor = *find(actor_id);
  if (target_id != actor_id) {
    if (!controls(actor))
      return refusal{error_code::forbidden, "only the host and co-hosts may rename others"};
    auto* target = find(target_id);
    if (!target || target->presence != presence::joined)
      return refusal{error_code::not_found, "no such participant in the meeting"};
    return std::nullopt;
  }
  if (!controls(actor) && !record_.settings.allow_rename)
    return refusal{error_code::forbidden, "the host does not allow participants to rename themselves"};
  return std::nullopt;
}

live_snapshot live_meeting::snapshot() const {
  live_snapshot s;
  s.locked = locked_;
  s.host_arrived = host_arrived_;
  s.share_paused = share_paused_;
  s.banned.assign(banned_.begin(), banned_.end());
  s.banned_addresses.assign(banned_addresses_.begin(), banned_addresses_.end());
  s.participants.reserve(participants_.size());
  for (const auto& [id, p] : participants_)
    s.participants.push_back(p);
  return s;
}

void live_meeting::restore(const live_snapshot& stored) {
  locked_ = stored.locked;
  host_arrived_ = stored.host_arrived;
  share_paused_ = stored.share_paused;
  banned_ = std::set<uint64_t>(stored.banned.begin(), stored.banned.end());
  banned_addresses_ = std::set<std::string>(stored.banned_addresses.begin(), stored.banned_addresses.end());
  participants_.clear();
  latest_arrival_ = 0;
  stand_in_demoted_.reset();
  for (auto p : stored.participants) {
    p.connected = false;
    latest_arrival_ = std::max(latest_arrival_, p.joined_at);
    participants_.emplace(p.id, std::move(p));
  }
}

std::optional<refusal> live_meeting::check_chat(uint64_t sender_id, uint64_t to_id) const {
  if (auto refused = check_joined(sender_id))
    return refused;
  const auto& sender = *find(sender_id);
  const participant* to = nullptr;
  if (to_id != 0) {
    to = find(to_id);
    if (!to || to->presence != presence::joined)
      return refusal{error_code::not_found, "no such participant in the meeting"};
    if (to_id == sender_id)
      return refusal{error_code::bad_request, "a private message needs another recipient"};
  }
  if (controls(sender))
    return std::nullopt; // hosts and co-hosts can always talk to the meeting
  const auto& mode = record_.settings.chat;
  if (mode == "off")
    return refusal{error_code::forbidden, "chat is off in this meeting"};
  if (mode == "host_only" && (!to || !controls(*to)))
    return refusal{error_code::forbidden, "in this meeting you may only message the host and co-hosts"};
  if (to && !record_.settings.private_chat && !controls(*to))
    return refusal{error_code::forbidden, "private chat is off in this meeting"};
  return std::nullopt;
}

} // namespace parley::meetings
