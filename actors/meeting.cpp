// Meeting actor: every rule is checked here, where the state lives; every change fans out as events.
#include "actors/meeting.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <set>

#include <caf/all.hpp>

#include "accounts/login_throttle.hpp"
#include "actors/meeting_codec.hpp"
#include "actors/media_messages.hpp"
#include "actors/media_router.hpp"
#include "actors/meeting_extension.hpp"
#include "actors/meeting_messages.hpp"
#include "actors/metering_service.hpp"
#include "accounts/account_repository.hpp"
#include "accounts/organisation_repository.hpp"
#include "actors/service_error.hpp"
#include "actors/shared_frame.hpp"
#include "meetings/live_meeting.hpp"
#include "meetings/meeting_repository.hpp"
#include "protocol/envelope.hpp"
#include "storage/store_messages.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
using meetings::presence;
constexpr auto store_timeout = std::chrono::seconds{30};
constexpr auto idle_period = std::chrono::seconds{5};
constexpr size_t max_history = 100;
constexpr auto live_flush_delay = std::chrono::milliseconds{100};

/// Wrong meeting passwords: 5 free per user (20 per address), then waits from 5 s doubling.
accounts::login_throttle::limits password_limits() {
  accounts::login_throttle::limits l;
  l.free_failures_per_user = 5;
  l.free_failures_per_address = 20;
  l.first_delay = std::chrono::seconds{5};
  return l;
}

/// A running extension (see meeting_extension.hpp): its actor, name and the ops it may use.
struct running_extension {
  caf::actor actor;
  std::string name;
  std::vector<std::string> rights;
  size_t kind = 0; // index in extension_kinds()
};

/// A chat message waiting for its durable write, and the sender waiting for its seq.
struct pending_chat {
  meetings::chat_record record;
  caf::typed_response_promise<std::vector<uint8_t>> reply;
  bool from_guest = false; // a guest's line is sealed under the organisation's key
};

struct meeting_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  std::unique_ptr<meetings::meeting_repository> repository;
  std::optional<meetings::live_meeting> live;
  std::map<uint64_t, caf::actor> sessions;        // connected participant id → its session
  std::map<uint64_t, uint64_t> grace_generation;  // reconnecting participant id → its grace timer
  std::map<uint64_t, running_extension> extensions; // extension id → extension
  uint64_t last_seq = 0;
  // Chat: one write in flight; messages sent meanwhile go out together in the next write and
  // fan out together (one message per session for a run of public chat).
  std::vector<pending_chat> chat_queue;
  bool chat_writing = false;
  uint64_t idle_generation = 0;
  bool ending = false;
  std::function<void()> after_chat_write; // an end waiting for the chat batch in flight to land
  // Live state persistence: one write in flight; changes meanwhile ride the next one.
  bool live_writing = false;
  bool live_dirty = false;
  bool live_flush_scheduled = false;
  std::vector<std::function<void(const caf::error&)>> live_waiters;
  // Roster changes waiting for the next batch (big meetings).
  std::set<uint64_t> batch_joined, batch_left, batch_updated;
  bool batch_scheduled = false;
  accounts::login_throttle password_throttle{password_limits()};
  caf::actor router; // the media router, spawned on the first media op
  uint64_t org_id = 0; // the host's organisation: its tier caps joins, its usage is metered
  static inline const char* name = "parley.meeting";
};

using meeting_actor = caf::stateful_actor<meeting_state>;
using bytes = std::vector<uint8_t>;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

caf::error refused(const meetings::refusal& r) {
  return make_service_error(r.code, r.message);
}

// --- event fan-out -------------------------------------------------------------------------

/// The event as sessions push it: the protocol frame, encoded here once for all recipients.
caf::message session_event(const std::string& name, const bytes& data) {
  return caf::make_message(mt_frame_atom::value, shared_frame::of(protocol::encode_event(name, data)));
}

void send_event(meeting_actor* self, uint64_t pid, const std::string& name, const bytes& data) {
  auto it = self->state.sessions.find(pid);
  if (it != self->state.sessions.end())
    self->send(it->second, session_event(name, data));
}

/// To every joined participant except `except`, and to every extension. The frame is encoded
/// once and the message built once; CAF shares it between the recipients, and every connection
/// queues the same bytes.
void broadcast(meeting_actor* self, const std::string& name, const bytes& data, uint64_t except = 0) {
  auto& st = self->state;
  auto msg = session_event(name, data);
  for (const auto& [pid, p] : st.live->participants())
    if (p.presence == presence::joined && pid != except)
      if (auto it = st.sessions.find(pid); it != st.sessions.end())
        self->send(it->second, msg);
  if (st.extensions.empty())
    return;
  auto event = caf::make_message(mt_event_atom::value, name, data); // extensions read name and data
  for (const auto& [id, ext] : st.extensions)
    self->send(ext.actor, event);
}

/// Public chat messages written together, in seq order: one message to each session with all
/// their frames (queued back to back on its connection), one event at a time to extensions.
void broadcast_chat(meeting_actor* self, const std::vector<bytes>& run) {
  if (run.size() == 1)
    return broadcast(self, "chat.message", run.front());
  auto& st = self->state;
  std::vector<shared_frame> frames;
  frames.reserve(run.size());
  for (const auto& data : run)
    frames.push_back(shared_frame::of(protocol::encode_event("chat.message", data)));
  auto msg = caf::make_message(mt_frames_atom::value, std::move(frames));
  for (const auto& [pid, p] : st.live->participants())
    if (p.presence == presence::joined)
      if (auto it = st.sessions.find(pid); it != st.sessions.end())
        self->send(it->second, msg);
  for (const auto& data : run)
    for (const auto& [id, ext] : st.extensions)
      self->send(ext.actor, mt_event_atom::value, std::string{"chat.message"}, data);
}

void to_controllers(meeting_actor* self, const std::string& name, const bytes& data, uint64_t except = 0) {
  for (const auto& [pid, p] : self->state.live->participants())
    if (p.presence == presence::joined && p.role != meetings::role::participant && pid != except)
      send_event(self, pid, name, data);
}

bytes participant_data(const meetings::participant& p) {
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(1);
  pk.pack("participant");
  pack_participant(pk, p);
  return to_packed(buffer);
}

bytes id_data(std::string_view key, uint64_t pid, std::string_view extra_key = {}, std::string_view extra = {}) {
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(extra_key.empty() ? 1 : 2);
  pk.pack(std::string{key});
  pk.pack(accounts::id_to_hex(pid));
  if (!extra_key.empty()) {
    pk.pack(std::string{extra_key});
    pk.pack(std::string{extra});
  }
  return to_packed(buffer);
}

/// Tells the media router what this participant may send now (host and self mutes).
void sync_media(meeting_actor* self, const meetings::participant& p) {
  if (self->state.router)
    self->send(self->state.router, rt_allow_atom::value, p.id, !p.audio_muted, !p.video_off);
}

// --- roster events: at once in small meetings, batched in big ones -------------------------

bool batching(meeting_actor* self) {
  return self->state.live->joined_count() >= self->state.ctx->meetings.roster_batch_from;
}

/// Sends the batched roster changes as one `roster.changed {joined, left, updated}` event. Each
/// entry carries the participant's state now, so applying the batches in order ends with the exact roster.
void flush_roster(meeting_actor* self) {
  auto& st = self->state;
  if (st.batch_joined.empty() && st.batch_left.empty() && st.batch_updated.empty())
    return;
  const auto& live = *st.live;
  std::vector<const meetings::participant*> joined, updated;
  std::vector<uint64_t> left;
  for (auto pid : st.batch_joined)
    if (auto* p = live.find(pid); p && p->presence == presence::joined)
      joined.push_back(p);
  for (auto pid : st.batch_updated)
    if (auto* p = live.find(pid); p && p->presence == presence::joined && !st.batch_joined.count(pid))
      updated.push_back(p);
  for (auto pid : st.batch_left)
    if (!live.find(pid))
      left.push_back(pid);
  st.batch_joined.clear();
  st.batch_left.clear();
  st.batch_updated.clear();
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(3);
  pk.pack("joined");
  pk.pack_array(static_cast<uint32_t>(joined.size()));
  for (auto* p : joined)
    pack_participant(pk, *p);
  pk.pack("left");
  pk.pack_array(static_cast<uint32_t>(left.size()));
  for (auto pid : left)
    pk.pack(accounts::id_to_hex(pid));
  pk.pack("updated");
  pk.pack_array(static_cast<uint32_t>(updated.size()));
  for (auto* p : updated)
    pack_participant(pk, *p);
  broadcast(self, "roster.changed", to_packed(buffer));
}

void schedule_flush(meeting_actor* self) {
  auto& st = self->state;
  if (!st.batch_scheduled) {
    st.batch_scheduled = true;
    self->delayed_send(self, std::chrono::milliseconds{st.ctx->meetings.roster_batch_ms}, mt_flush_atom::value);
  }
}

/// `pid` is now inside (joined straight in, admitted, or released by the host's arrival).
void roster_joined(meeting_actor* self, uint64_t pid) {
  auto& st = self->state;
  if (batching(self)) {
    st.batch_joined.insert(pid);
    schedule_flush(self);
    return;
  }
  flush_roster(self);
  if (auto* p = st.live->find(pid))
    broadcast(self, "participant.joined", participant_data(*p), pid);
}

void roster_updated(meeting_actor* self, uint64_t pid) {
  auto& st = self->state;
  if (auto* p = st.live->find(pid))
    sync_media(self, *p);
  if (batching(self)) {
    st.batch_updated.insert(pid);
    schedule_flush(self);
    return;
  }
  flush_roster(self);
  if (auto* p = st.live->find(pid))
    broadcast(self, "participant.updated", participant_data(*p));
}

void roster_left(meeting_actor* self, uint64_t pid) {
  auto& st = self->state;
  if (batching(self) || !st.batch_joined.empty() || !st.batch_updated.empty()) {
    st.batch_left.insert(pid);
    schedule_flush(self);
    return;
  }
  flush_roster(self);
  broadcast(self, "participant.left", id_data("participant_id", pid));
}

void announce_updated(meeting_actor* self, uint64_t pid) {
  roster_updated(self, pid);
}

/// The view a participant gets on joining or admission.
bytes join_view(meeting_actor* self, const meetings::participant& me, bool resumed = false) {
  const auto& live = *self->state.live;
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  const bool joined = me.presence == presence::joined;
  const bool controls = joined && me.role != meetings::role::participant;
  pk.pack_map(controls ? 12 : 11);
  pk.pack("resume_token");
  pk.pack(me.resume_token);
  pk.pack("resumed");
  pk.pack(resumed);
  pk.pack("share_paused");
  pk.pack(live.share_paused());
  pk.pack("meeting_id");
  pk.pack(meetings::meeting_id_to_string(live.record().id));
  pk.pack("topic");
  pk.pack(live.record().topic);
  pk.pack("state");
  pk.pack(std::string{meetings::to_string(me.presence)});
  pk.pack("participant_id");
  pk.pack(accounts::id_to_hex(me.id));
  pk.pack("role");
  pk.pack(std::string{meetings::to_string(me.role)});
  pk.pack("locked");
  pk.pack(live.locked());
  pk.pack("roster");
  // People in the waiting room do not see who is inside.
  pk.pack_array(joined ? static_cast<uint32_t>(live.joined_count()) : 0);
  if (joined)
    for (const auto& [pid, p] : live.participants())
      if (p.presence == presence::joined)
        pack_participant(pk, p);
  pk.pack("settings");
  meetings::pack_settings(pk, live.record().settings);
  if (controls) {
    std::vector<const meetings::participant*> waiting;
    for (const auto& [pid, p] : live.participants())
      if (p.presence == presence::waiting)
        waiting.push_back(&p);
    pk.pack("waiting");
    pk.pack_array(static_cast<uint32_t>(waiting.size()));
    for (auto* p : waiting)
      pack_participant(pk, *p);
  }
  return to_packed(buffer);
}

/// Tells everyone that `pid` is now inside (after joining straight in or being admitted).
void announce_joined(meeting_actor* self, uint64_t pid, bool admitted) {
  auto* p = self->state.live->find(pid);
  if (!p)
    return;
  if (admitted)
    send_event(self, pid, "meeting.admitted", join_view(self, *p));
  roster_joined(self, pid);
}

// --- persistence ---------------------------------------------------------------------------

/// Writes the record (start, end, peak, edits). Not awaited by clients except on end.
void persist(meeting_actor* self) {
  storage::write_set writes;
  meetings::meeting_repository::put(writes, self->state.live->record());
  self->request(self->state.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then([](caf::ok_atom) {},
          [](caf::error& err) {
            telemetry::logger("meeting")->error("could not store a meeting record: {}", caf::to_string(err));
          });
}

void write_live(meeting_actor* self);

/// Writes the live state now (or right after the write in flight); `done` runs once it is durable.
void save_live(meeting_actor* self, std::function<void(const caf::error&)> done = {}) {
  auto& st = self->state;
  if (done)
    st.live_waiters.push_back(std::move(done));
  st.live_dirty = true;
  if (!st.live_writing)
    write_live(self);
}

/// Writes the live state within a short delay (joins and drops: many coalesce into one write).
void save_live_soon(meeting_actor* self) {
  auto& st = self->state;
  st.live_dirty = true;
  if (!st.live_flush_scheduled && !st.live_writing) {
    st.live_flush_scheduled = true;
    self->delayed_send(self, live_flush_delay, mt_persist_atom::value);
  }
}

void write_live(meeting_actor* self) {
  auto& st = self->state;
  if (st.ending) {
    // The end (or deletion) writes the final state itself.
    auto waiters = std::move(st.live_waiters);
    st.live_waiters.clear();
    for (const auto& w : waiters)
      w(caf::error{});
    return;
  }
  st.live_dirty = false;
  st.live_writing = true;
  auto waiters = std::move(st.live_waiters);
  st.live_waiters.clear();
  storage::write_set writes;
  const auto id = st.live->record().id;
  if (st.live->empty())
    meetings::meeting_repository::remove_live(writes, id);
  else
    meetings::meeting_repository::put_live(writes, id, st.live->snapshot());
  auto finish = [self, waiters](const caf::error& err) {
    auto& st = self->state;
    st.live_writing = false;
    for (const auto& w : waiters)
      w(err);
    if (st.live_dirty)
      write_live(self);
  };
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then([finish](caf::ok_atom) { finish(caf::error{}); },
          [finish](caf::error& err) {
            telemetry::logger("meeting")->error("could not store a live meeting: {}", caf::to_string(err));
            finish(err);
          });
}

/// The reply to a state-changing op, delivered once the new live state is durable.
caf::result<bytes> after_saved(meeting_actor* self, bytes result) {
  auto rp = self->make_response_promise<bytes>();
  save_live(self, [rp, result = std::move(result)](const caf::error& err) mutable {
    if (err)
      rp.deliver(err);
    else
      rp.deliver(result);
  });
  return rp;
}

void schedule_idle_check(meeting_actor* self) {
  if (self->state.live->empty())
    self->delayed_send(self, idle_period, mt_idle_atom::value, ++self->state.idle_generation);
}

// --- leaving -------------------------------------------------------------------------------

void remove_participant(meeting_actor* self, uint64_t pid, const std::string& removed_reason) {
  auto& st = self->state;
  auto gone = st.live->remove(pid);
  if (!gone)
    return;
  if (st.router)
    self->send(st.router, rt_leave_atom::value, pid);
  journal_meter_event(st.store, metering::meter_kind::leave, st.live->record().id, pid, st.org_id);
  if (st.live->empty())
    journal_meter_event(st.store, metering::meter_kind::end, st.live->record().id, 0, st.org_id);
  if (!removed_reason.empty()) {
    msgpack::sbuffer buffer;
    meeting_packer pk(buffer);
    pk.pack_map(1);
    pk.pack("reason");
    pk.pack(removed_reason);
    auto it = st.sessions.find(pid);
    if (it != st.sessions.end())
      self->send(it->second, mt_event_atom::value, std::string{"meeting.removed"}, to_packed(buffer));
  }
  if (auto it = st.sessions.find(pid); it != st.sessions.end()) {
    self->send(it->second, mt_detach_atom::value, pid);
    self->demonitor(it->second);
    st.sessions.erase(it);
  }
  st.grace_generation.erase(pid);
  if (gone->presence == presence::joined)
    roster_left(self, pid);
  else if (gone->presence == presence::waiting)
    to_controllers(self, "participant.left", id_data("participant_id", pid));
  if (gone->role == meetings::role::host)
    if (auto new_host = st.live->pass_host())
      announce_updated(self, *new_host);
  save_live_soon(self);
  schedule_idle_check(self);
}

/// The participant's connection is gone: keep them "reconnecting" for the grace period.
void drop_participant(meeting_actor* self, uint64_t pid) {
  auto& st = self->state;
  if (auto it = st.sessions.find(pid); it != st.sessions.end()) {
    self->demonitor(it->second);
    st.sessions.erase(it);
  }
  if (!st.live->set_connected(pid, false))
    return;
  const auto generation = ++st.grace_generation[pid];
  self->delayed_send(self, std::chrono::milliseconds{st.ctx->meetings.reconnect_grace_ms}, mt_grace_atom::value,
                     pid, generation);
  if (auto* p = st.live->find(pid); p && p->presence == presence::joined)
    announce_updated(self, pid);
  save_live_soon(self);
}

void sync_extensions(meeting_actor* self);

/// Ends the meeting for everyone, then calls `done` with the outcome and quits. `deleted`: the
/// record is being removed, so nothing is written.
void fail_queued_chat(meeting_actor* self);

template <class Done>
void end_meeting(meeting_actor* self, const std::string& reason, bool deleted, Done done) {
  auto& st = self->state;
  st.ending = true;
  fail_queued_chat(self);
  if (st.chat_writing) {
    // The batch in flight lands and reaches everyone first; a deletion then erases it with the
    // rest of the chat instead of racing it.
    auto earlier = std::move(st.after_chat_write);
    st.after_chat_write = [self, reason, deleted, done, earlier]() mutable {
      if (earlier)
        earlier();
      end_meeting(self, reason, deleted, std::move(done));
    };
    return;
  }
  for (const auto& [pid, p] : st.live->participants())
    journal_meter_event(st.store, metering::meter_kind::leave, st.live->record().id, pid, st.org_id);
  if (!st.live->empty())
    journal_meter_event(st.store, metering::meter_kind::end, st.live->record().id, 0, st.org_id);
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(1);
  pk.pack("reason");
  pk.pack(reason);
  auto data = to_packed(buffer);
  for (const auto& [pid, session] : st.sessions) {
    self->send(session, mt_event_atom::value, std::string{"meeting.ended"}, data);
    self->send(session, mt_detach_atom::value, pid);
  }
  st.sessions.clear();
  for (const auto& [id, ext] : st.extensions) {
    self->unlink_from(ext.actor);
    self->send_exit(ext.actor, caf::exit_reason::user_shutdown);
  }
  st.extensions.clear();
  if (deleted) {
    done(caf::error{});
    self->quit();
    return;
  }
  // A personal meeting room ends this session only: it empties and stays joinable.
  const bool personal = st.live->record().personal;
  if (personal) {
    st.live->restore(meetings::live_snapshot{});
    st.grace_generation.clear();
    st.batch_joined.clear();
    st.batch_left.clear();
    st.batch_updated.clear();
  } else
    st.live->record().ended_at = accounts::unix_now();
  storage::write_set writes;
  meetings::meeting_repository::put(writes, st.live->record());
  meetings::meeting_repository::remove_live(writes, st.live->record().id);
  auto finish = [self, done, personal](const caf::error& err) mutable {
    done(err);
    if (!personal) {
      self->quit();
      return;
    }
    self->state.ending = false;
    sync_extensions(self);
    schedule_idle_check(self);
  };
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then([finish](caf::ok_atom) mutable { finish(caf::error{}); },
          [finish](caf::error& err) mutable { finish(err); });
}

// --- handlers ------------------------------------------------------------------------------

using join_result = caf::result<uint64_t, bytes>;

std::string new_resume_token() {
  return accounts::id_to_hex(accounts::random_id()) + accounts::id_to_hex(accounts::random_id());
}

/// A new connection takes over a participant who is reconnecting (or still connected elsewhere).
join_result resume(meeting_actor* self, const caf::actor& session, uint64_t pid) {
  auto& st = self->state;
  if (auto it = st.sessions.find(pid); it != st.sessions.end() && it->second != session) {
    // The participant moved to a new connection: the old one is out.
    msgpack::sbuffer buffer;
    meeting_packer pk(buffer);
    pk.pack_map(1);
    pk.pack("reason");
    pk.pack("resumed_elsewhere");
    self->send(it->second, mt_event_atom::value, std::string{"meeting.removed"}, to_packed(buffer));
    self->send(it->second, mt_detach_atom::value, pid);
    self->demonitor(it->second);
    st.sessions.erase(it);
  }
  st.sessions[pid] = session;
  self->monitor(session);
  st.grace_generation.erase(pid);
  ++st.idle_generation;
  if (st.live->set_connected(pid, true))
    if (auto* p = st.live->find(pid); p && p->presence == presence::joined)
      announce_updated(self, pid);
  save_live_soon(self);
  const auto& me = *st.live->find(pid);
  return {pid, join_view(self, me, true)};
}

join_result handle_join(meeting_actor* self, const join_request& req) {
  auto& st = self->state;
  const auto pid = req.participant_id;
  if (st.ending)
    return make_service_error(error_code::meeting_ended, "this meeting has ended");
  auto session = caf::actor_cast<caf::actor>(self->current_sender());
  if (!session || pid == 0 || st.live->find(pid))
    return make_service_error(error_code::bad_request, "invalid join");
  if (st.live->record().ended_at != 0)
    return make_service_error(error_code::meeting_ended, "this meeting has ended");
  // Resume: by the token of an earlier join, or the same identity while it is reconnecting.
  const meetings::participant* existing = st.live->by_resume_token(req.resume_token);
  if (existing && existing->user_id != req.user.id)
    existing = nullptr;
  if (!existing)
    existing = st.live->reconnecting_of(req.user.id);
  if (existing)
    return resume(self, session, existing->id);
  const auto user_key = "u" + std::to_string(req.user.id);
  if (auto wait = st.password_throttle.retry_after(user_key, req.address); wait.count() > 0)
    return make_service_error(error_code::rate_limited, "too many wrong meeting passwords; try again in "
                                                          + std::to_string(wait.count()) + " s");
  std::optional<std::string_view> password;
  if (req.has_password)
    password = req.password;
  if (auto refusal = st.live->check_entry(req.user.id, password, req.guest, req.address)) {
    if (refusal->code == error_code::bad_password)
      st.password_throttle.record_failure(user_key, req.address);
    return refused(*refusal);
  }
  // Meetings that admit only users with an SMS-verified phone number (the host always enters).
  if (const auto& record = st.live->record(); record.settings.sms_verified_only && req.user.id != record.host_id) {
    auto user = accounts::account_repository{*st.ctx->db}.find_by_id(req.user.id);
    if (!user || !user->phone_verified)
      return make_service_error(error_code::verification_required,
                                "this meeting admits only users with an SMS-verified phone number; verify one with "
                                "POST /api/v1/auth/phone");
  }
  if (auto cap = accounts::organisation_repository{*st.ctx->db}.tier_refusal(st.org_id, st.live->participants().size()))
    return make_service_error(error_code::meeting_full, *cap);
  meetings::participant p;
  p.id = pid;
  p.user_id = req.user.id;
  p.display_name = req.display_name.empty() ? req.user.display_name : req.display_name;
  p.joined_at = now_ms();
  p.guest = req.guest;
  if (req.guest)
    p.guest_address = req.address;
  p.resume_token = new_resume_token();
  const auto peak_before = st.live->peak();
  auto released = st.live->add(p);
  if (st.live->participants().size() == 1)
    journal_meter_event(st.store, metering::meter_kind::start, st.live->record().id, 0, st.org_id);
  journal_meter_event(st.store, metering::meter_kind::join, st.live->record().id, pid, st.org_id);
  st.sessions.emplace(pid, session);
  self->monitor(session);
  ++st.idle_generation;
  const auto& me = *st.live->find(pid);
  bool dirty = st.live->peak() != peak_before;
  if (me.role == meetings::role::host && st.live->record().started_at == 0) {
    st.live->record().started_at = accounts::unix_now();
    dirty = true;
  }
  if (dirty)
    persist(self);
  save_live_soon(self);
  if (me.presence == presence::joined)
    roster_joined(self, pid);
  else if (me.presence == presence::waiting)
    to_controllers(self, "meeting.waiting", participant_data(me));
  if (auto stand_in = st.live->stand_in_demoted())
    announce_updated(self, *stand_in); // everyone sees host move back: the stand-in is co-host again
  for (auto id : released) {
    auto* other = st.live->find(id);
    if (other->presence == presence::joined)
      announce_joined(self, id, true);
    else if (other->presence == presence::waiting) {
      send_event(self, id, "meeting.waiting", participant_data(*other)); // they now wait to be admitted
      to_controllers(self, "meeting.waiting", participant_data(*other), pid); // the joiner sees `waiting`
    }
  }
  return {pid, join_view(self, me)};
}

bytes empty_result() {
  return protocol::empty_map();
}

/// Answers each sender of a durably written chat batch with its seq, then fans the batch out in
/// seq order (a sender's session gets its reply before its own chat.message).
void deliver_chat(meeting_actor* self, std::vector<pending_chat>& batch) {
  for (auto& item : batch) {
    msgpack::sbuffer result;
    meeting_packer rpk(result);
    rpk.pack_map(1);
    rpk.pack("seq");
    rpk.pack(item.record.seq);
    item.reply.deliver(to_packed(result));
  }
  std::vector<bytes> run; // consecutive public messages
  for (auto& item : batch) {
    const auto& record = item.record;
    msgpack::sbuffer buffer;
    meeting_packer pk(buffer);
    pack_chat(pk, record);
    auto data = to_packed(buffer);
    if (record.is_private()) {
      if (!run.empty())
        broadcast_chat(self, run);
      run.clear();
      send_event(self, record.from_participant, "chat.message", data);
      send_event(self, record.to_participant, "chat.message", data);
    } else
      run.push_back(std::move(data));
  }
  if (!run.empty())
    broadcast_chat(self, run);
}

/// Chat that was waiting for the next write when the meeting ends: never written, so refused.
void fail_queued_chat(meeting_actor* self) {
  auto queued = std::move(self->state.chat_queue);
  self->state.chat_queue.clear();
  for (auto& item : queued)
    item.reply.deliver(make_service_error(error_code::meeting_ended, "this meeting has ended"));
}

void write_chat(meeting_actor* self);

/// The chat write in flight is done: an end that waited for it goes on, else the next batch goes.
void chat_write_done(meeting_actor* self) {
  auto& st = self->state;
  st.chat_writing = false;
  if (st.after_chat_write) {
    auto next = std::move(st.after_chat_write);
    st.after_chat_write = nullptr;
    next();
  } else
    write_chat(self);
}

/// Writes every queued chat message in one write set, unless a write is in flight (then the
/// queue rides the next one). Nothing is delivered or acknowledged before it is durable.
void write_chat(meeting_actor* self) {
  auto& st = self->state;
  if (st.chat_writing || st.chat_queue.empty())
    return;
  st.chat_writing = true;
  auto batch = std::make_shared<std::vector<pending_chat>>(std::move(st.chat_queue));
  st.chat_queue.clear();
  storage::write_set writes;
  for (const auto& item : *batch)
    meetings::meeting_repository::add_chat(writes, st.live->record().id, item.record, st.org_id, item.from_guest);
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then(
      [self, batch](caf::ok_atom) {
        deliver_chat(self, *batch);
        chat_write_done(self);
      },
      [self, batch](caf::error& err) {
        for (auto& item : *batch)
          item.reply.deliver(err);
        chat_write_done(self);
      });
}

/// Chat from a participant or an extension (`extension_name` set: it speaks under that name, publicly
/// or privately, whatever the chat mode: its rights were granted by the meeting).
caf::result<bytes> handle_chat_send(meeting_actor* self, const meeting_command& cmd,
                                    const std::string* extension_name = nullptr) {
  auto& st = self->state;
  meetings::chat_record record;
  bool from_guest = false;
  if (extension_name) {
    if (cmd.target != 0) {
      auto* to = st.live->find(cmd.target);
      if (!to || to->presence != presence::joined)
        return make_service_error(error_code::not_found, "no such participant in the meeting");
    }
    record.from_participant = cmd.participant_id;
    record.from_name = *extension_name;
  } else {
    if (auto refusal = st.live->check_chat(cmd.participant_id, cmd.target))
      return refused(*refusal);
    const auto& sender = *st.live->find(cmd.participant_id);
    record.from_user = sender.user_id;
    record.from_participant = sender.id;
    record.from_name = sender.display_name;
    from_guest = sender.guest;
  }
  record.seq = ++st.last_seq;
  if (cmd.target != 0) {
    record.to_participant = cmd.target;
    record.to_user = st.live->find(cmd.target)->user_id;
  }
  record.text = cmd.kind;
  record.at = now_ms();
  auto rp = self->make_response_promise<bytes>();
  st.chat_queue.push_back({std::move(record), rp, from_guest});
  write_chat(self);
  return rp;
}

caf::result<bytes> handle_chat_history(meeting_actor* self, const meeting_command& cmd) {
  auto& st = self->state;
  if (auto refusal = st.live->check_joined(cmd.participant_id))
    return refused(*refusal);
  const auto viewer = st.live->find(cmd.participant_id)->user_id;
  auto limit = std::min<size_t>(cmd.limit == 0 ? 50 : cmd.limit, max_history);
  auto messages = st.repository->chat_history(st.live->record().id, cmd.before_seq, limit, viewer);
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(1);
  pk.pack("messages");
  pk.pack_array(static_cast<uint32_t>(messages.size()));
  for (const auto& m : messages)
    pack_chat(pk, m);
  return to_packed(buffer);
}

/// The ids `cmd` names: one participant (must be joined), or with "all" every joined participant
/// who is not a host or co-host.
std::optional<std::vector<uint64_t>> targets_of(const meetings::live_meeting& live, const meeting_command& cmd) {
  std::vector<uint64_t> ids;
  if (cmd.all) {
    for (const auto& [pid, p] : live.participants())
      if (p.presence == presence::joined && p.role == meetings::role::participant)
        ids.push_back(pid);
    return ids;
  }
  auto* p = live.find(cmd.target);
  if (!p || p->presence != presence::joined)
    return std::nullopt;
  ids.push_back(cmd.target);
  return ids;
}

caf::error no_such_participant() {
  return make_service_error(error_code::not_found, "no such participant in the meeting");
}

/// Host controls, once the caller is known to be a joined host or co-host (or an extension granted the op).
caf::result<bytes> host_control(meeting_actor* self, const meeting_command& cmd) {
  auto& st = self->state;
  auto& live = *st.live;
  const auto me = cmd.participant_id;
  const auto& op = cmd.op;
  if (op == "meeting.lock") {
    live.set_locked(cmd.flag);
    msgpack::sbuffer buffer;
    meeting_packer pk(buffer);
    pk.pack_map(1);
    pk.pack("locked");
    pk.pack(cmd.flag);
    broadcast(self, "meeting.locked", to_packed(buffer));
    return after_saved(self, empty_result());
  }
  if (op == "meeting.pause_share") {
    live.set_share_paused(cmd.flag);
    if (st.router)
      self->send(st.router, rt_share_atom::value, cmd.flag);
    msgpack::sbuffer buffer;
    meeting_packer pk(buffer);
    pk.pack_map(1);
    pk.pack("paused");
    pk.pack(cmd.flag);
    broadcast(self, "meeting.share_paused", to_packed(buffer));
    return after_saved(self, empty_result());
  }
  if (op == "meeting.admit") {
    if (auto refusal = live.admit(cmd.target))
      return refused(*refusal);
    announce_joined(self, cmd.target, true);
    persist(self);
    return after_saved(self, empty_result());
  }
  if (op == "meeting.admit_all") {
    std::vector<uint64_t> waiting;
    for (const auto& [pid, p] : live.participants())
      if (p.presence == presence::waiting)
        waiting.push_back(pid);
    // Admit everyone first, so each admitted participant's roster already holds the others.
    std::vector<uint64_t> admitted;
    for (auto pid : waiting)
      if (!live.admit(pid))
        admitted.push_back(pid);
    for (auto pid : admitted)
      if (auto* p = live.find(pid))
        send_event(self, pid, "meeting.admitted", join_view(self, *p));
    for (auto pid : admitted)
      roster_joined(self, pid);
    if (!waiting.empty())
      persist(self);
    return after_saved(self, empty_result());
  }
  if (op == "meeting.deny") {
    auto* p = live.find(cmd.target);
    if (!p || p->presence != presence::waiting)
      return make_service_error(error_code::not_found, "no such participant in the waiting room");
    remove_participant(self, cmd.target, "denied");
    return after_saved(self, empty_result());
  }
  if (op == "participant.kick") {
    std::vector<uint64_t> targets;
    if (cmd.all) {
      // Everyone but hosts and co-hosts, the waiting room included.
      for (const auto& [pid, p] : live.participants())
        if (p.role == meetings::role::participant && pid != me)
          targets.push_back(pid);
    } else {
      if (auto refusal = live.check_remove(me, cmd.target))
        return refused(*refusal);
      targets.push_back(cmd.target);
    }
    for (auto pid : targets) {
      auto* p = live.find(pid);
      if (!p)
        continue;
      if (cmd.flag)
        live.ban(p->user_id);
      if (cmd.flag && p->guest && !p->guest_address.empty())
        live.ban_address(p->guest_address); // a guest could fetch a new guest token: their address stays out too
      remove_participant(self, pid, cmd.flag ? "banned" : "kicked");
    }
    return after_saved(self, empty_result());
  }
  if (op == "participant.mute") {
    if (cmd.all) {
      for (auto pid : live.mute_all(cmd.kind))
        announce_updated(self, pid);
      return after_saved(self, empty_result());
    }
    auto* p = live.find(cmd.target);
    if (!p || p->presence != presence::joined)
      return no_such_participant();
    if (live.mute(cmd.target, cmd.kind))
      announce_updated(self, cmd.target);
    return after_saved(self, empty_result());
  }
  if (op == "participant.request_unmute") {
    // Asks; never unmutes. The participant decides (self.mute {muted: false}).
    auto targets = targets_of(live, cmd);
    if (!targets)
      return no_such_participant();
    auto data = id_data("by", me, "kind", cmd.kind);
    for (auto pid : *targets)
      if (auto* p = live.find(pid); p && (cmd.kind == "video" ? p->video_off : p->audio_muted))
        send_event(self, pid, "participant.unmute_requested", data);
    return empty_result();
  }
  if (op == "participant.allow_recording") {
    auto targets = targets_of(live, cmd);
    if (!targets)
      return no_such_participant();
    for (auto pid : *targets)
      if (live.set_can_record(pid, cmd.flag))
        announce_updated(self, pid);
    return after_saved(self, empty_result());
  }
  if (op == "hand.lower") { // someone else's hand, or everyone's
    std::vector<uint64_t> targets;
    if (cmd.all) {
      for (const auto& [pid, p] : live.participants())
        if (p.hand_raised)
          targets.push_back(pid);
    } else {
      if (!live.find(cmd.target))
        return no_such_participant();
      targets.push_back(cmd.target);
    }
    for (auto pid : targets)
      if (live.set_hand(pid, false))
        broadcast(self, "hand.lowered", id_data("participant_id", pid));
    return after_saved(self, empty_result());
  }
  return make_service_error(error_code::unknown_op, "unknown meeting op '" + op + "'");
}

/// A command from an extension: allowed only for the ops it was granted.
caf::result<bytes> extension_command(meeting_actor* self, const running_extension& ext, const meeting_command& cmd) {
  if (std::find(ext.rights.begin(), ext.rights.end(), cmd.op) == ext.rights.end())
    return make_service_error(error_code::forbidden, "this extension was not granted " + cmd.op);
  if (self->state.ending)
    return make_service_error(error_code::meeting_ended, "this meeting has ended");
  if (cmd.op == "chat.send")
    return handle_chat_send(self, cmd, &ext.name);
  if (cmd.op == "participant.kick" && !cmd.all)
    if (auto* target = self->state.live->find(cmd.target); target && target->role == meetings::role::host)
      return make_service_error(error_code::forbidden, "the host cannot be removed");
  return host_control(self, cmd);
}

caf::result<bytes> handle_command(meeting_actor* self, const meeting_command& cmd) {
  auto& st = self->state;
  auto& live = *st.live;
  const auto me = cmd.participant_id;
  // Only the session that joined as this participant (or the extension with this id) may act as it.
  auto it = st.sessions.find(me);
  if (it == st.sessions.end() || it->second.address() != self->current_sender()) {
    auto ext = st.extensions.find(me);
    if (ext != st.extensions.end() && ext->second.actor.address() == self->current_sender())
      return extension_command(self, ext->second, cmd);
    return make_service_error(error_code::forbidden, "not a participant of this meeting");
  }
  const auto& op = cmd.op;
  if (op == "chat.send")
    return handle_chat_send(self, cmd);
  if (op == "chat.history")
    return handle_chat_history(self, cmd);
  if (op == "self.mute" || op == "self.video" || op == "hand.raise" || (op == "hand.lower" && cmd.target == 0 && !cmd.all)) {
    if (auto refusal = live.check_joined(me))
      return refused(*refusal);
    if (op == "self.mute") {
      if (auto refusal = live.set_self_audio(me, cmd.flag))
        return refused(*refusal);
      announce_updated(self, me);
    } else if (op == "self.video") {
      live.set_self_video(me, cmd.flag);
      announce_updated(self, me);
    } else if (live.set_hand(me, op == "hand.raise"))
      broadcast(self, op == "hand.raise" ? "hand.raised" : "hand.lowered", id_data("participant_id", me));
    return after_saved(self, empty_result());
  }
  if (op == "participant.rename") {
    const auto target = cmd.target == 0 ? me : cmd.target;
    if (auto refusal = live.check_rename(me, target))
      return refused(*refusal);
    if (live.rename(target, cmd.kind))
      announce_updated(self, target);
    return after_saved(self, empty_result());
  }
  if (op == "participant.set_role") {
    auto new_role = meetings::role_from_string(cmd.kind);
    if (auto refusal = live.check_control(me))
      return refused(*refusal);
    if (!new_role)
      return make_service_error(error_code::bad_request, "role must be host, cohost or participant");
    if (auto refusal = live.set_role(me, cmd.target, *new_role))
      return refused(*refusal);
    announce_updated(self, cmd.target);
    announce_updated(self, me);
    return after_saved(self, empty_result());
  }
  // Everything below is a host control.
  if (auto refusal = live.check_control(me))
    return refused(*refusal);
  if (st.ending)
    return make_service_error(error_code::meeting_ended, "this meeting has ended");
  if (op == "meeting.end") {
    if (live.find(me)->role != meetings::role::host)
      return make_service_error(error_code::forbidden, "only the host may end the meeting for everyone");
    // The host's answer comes once the end is durable.
    auto rp = self->make_response_promise<bytes>();
    end_meeting(self, "ended_by_host", false, [rp](const caf::error& err) mutable {
      if (err)
        rp.deliver(err);
      else
        rp.deliver(empty_result());
    });
    return rp;
  }
  return host_control(self, cmd);
}

// --- extensions ----------------------------------------------------------------------------

/// Starts the extensions the settings switch on and stops those they switch off.
void sync_extensions(meeting_actor* self) {
  auto& st = self->state;
  const auto& kinds = extension_kinds();
  const auto& settings = st.live->record().settings;
  for (auto it = st.extensions.begin(); it != st.extensions.end();) {
    if (!kinds[it->second.kind].enabled(settings)) {
      self->unlink_from(it->second.actor);
      self->send_exit(it->second.actor, caf::exit_reason::user_shutdown);
      it = st.extensions.erase(it);
    } else
      ++it;
  }
  for (size_t k = 0; k < kinds.size(); ++k) {
    if (!kinds[k].enabled(settings))
      continue;
    bool running = false;
    for (const auto& [id, ext] : st.extensions)
      running = running || ext.kind == k;
    if (running)
      continue;
    const auto id = accounts::random_id();
    auto actor = kinds[k].spawn(self, id);
    self->link_to(actor);
    st.extensions.emplace(id, running_extension{actor, kinds[k].name, kinds[k].rights, k});
  }
}

caf::behavior meeting(meeting_actor* self, std::shared_ptr<const node_context> ctx, caf::actor store,
                      meetings::meeting_record record) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.store = std::move(store);
  st.repository = std::make_unique<meetings::meeting_repository>(*st.ctx->db);
  st.last_seq = st.repository->last_chat_seq(record.id);
  const auto id = record.id;
  st.org_id = metered_org(*st.ctx->db, record.host_id);
  st.live.emplace(std::move(record));
  // A meeting that was live when the node stopped: everyone comes back "reconnecting" and has
  // the grace period to resume.
  if (auto stored = st.repository->find_live(id)) {
    st.live->restore(*stored);
    for (const auto& [pid, p] : st.live->participants()) {
      const auto generation = ++st.grace_generation[pid];
      self->delayed_send(self, std::chrono::milliseconds{st.ctx->meetings.reconnect_grace_ms}, mt_grace_atom::value,
                         pid, generation);
    }
  }
  sync_extensions(self);
  // Extensions are linked: they stop with the meeting. One that fails is dropped; any other exit
  // (the directory going down) takes the meeting.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& exts = self->state.extensions;
    for (auto it = exts.begin(); it != exts.end(); ++it)
      if (it->second.actor.address() == msg.source) {
        telemetry::logger("meeting")->warn("extension {} stopped: {}", it->second.name, caf::to_string(msg.reason));
        exts.erase(it);
        return;
      }
    self->quit(msg.reason);
  });
  schedule_idle_check(self);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    // A session that is gone without saying so: its participants reconnect or leave after the grace.
    std::vector<uint64_t> gone;
    for (const auto& [pid, session] : st.sessions)
      if (session.address() == msg.source)
        gone.push_back(pid);
    for (auto pid : gone)
      drop_participant(self, pid);
  });
  return {
    [self](mt_join_atom, const join_request& req) { return handle_join(self, req); },
    [self](mt_command_atom, const meeting_command& cmd) { return handle_command(self, cmd); },
    [self](mt_media_atom, const std::string& op, uint64_t pid, const bytes& args) -> caf::result<bytes> {
      auto& st = self->state;
      auto it = st.sessions.find(pid);
      if (it == st.sessions.end() || it->second.address() != self->current_sender())
        return make_service_error(error_code::forbidden, "not a participant of this meeting");
      if (auto refusal = st.live->check_joined(pid))
        return refused(*refusal);
      if (st.ending)
        return make_service_error(error_code::meeting_ended, "this meeting has ended");
      if (!st.ctx->media)
        return make_service_error(error_code::unavailable, "this node runs no media workers");
      if (!st.router) {
        st.router = spawn_media_router(self, st.ctx, st.live->record().id);
        self->send(st.router, rt_share_atom::value, st.live->share_paused());
      }
      const auto* p = st.live->find(pid);
      auto rp = self->make_response_promise<bytes>();
      self->request(st.router, store_timeout, rt_request_atom::value, op, pid, !p->audio_muted, !p->video_off, args)
        .then([rp](bytes& result) mutable { rp.deliver(std::move(result)); },
              [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [self](mt_media_event_atom, const std::string& name, const bytes& data, uint64_t to) {
      if (to == 0)
        broadcast(self, name, data);
      else
        send_event(self, to, name, data);
    },
    [self](mt_leave_atom, uint64_t pid) {
      auto it = self->state.sessions.find(pid);
      if (it != self->state.sessions.end() && it->second.address() == self->current_sender())
        remove_participant(self, pid, {});
    },
    [self](mt_drop_atom, uint64_t pid) {
      auto it = self->state.sessions.find(pid);
      if (it != self->state.sessions.end() && it->second.address() == self->current_sender())
        drop_participant(self, pid);
    },
    [self](mt_grace_atom, uint64_t pid, uint64_t generation) {
      auto& st = self->state;
      auto it = st.grace_generation.find(pid);
      if (it == st.grace_generation.end() || it->second != generation)
        return;
      if (auto* p = st.live->find(pid); p && !p->connected)
        remove_participant(self, pid, {});
    },
    [self](mt_flush_atom) {
      self->state.batch_scheduled = false;
      flush_roster(self);
    },
    [self](mt_persist_atom) {
      self->state.live_flush_scheduled = false;
      if (self->state.live_dirty && !self->state.live_writing)
        write_live(self);
    },
    [self](mt_update_atom, const meetings::meeting_record& edited) -> caf::result<meetings::meeting_record> {
      auto& live = *self->state.live;
      const bool settings_changed = !(live.record().settings == edited.settings);
      live.record().apply_edit(edited);
      auto rp = self->make_response_promise<meetings::meeting_record>();
      storage::write_set writes;
      meetings::meeting_repository::put(writes, live.record());
      self->request(self->state.store, store_timeout, storage::write_atom::value, std::move(writes))
        .then([rp, record = live.record()](caf::ok_atom) mutable { rp.deliver(record); },
              [rp](caf::error& err) mutable { rp.deliver(err); });
      if (settings_changed) {
        sync_extensions(self);
        msgpack::sbuffer buffer;
        meeting_packer pk(buffer);
        pk.pack_map(2);
        pk.pack("topic");
        pk.pack(live.record().topic);
        pk.pack("settings");
        meetings::pack_settings(pk, live.record().settings);
        broadcast(self, "meeting.updated", to_packed(buffer));
      }
      return rp;
    },
    [self](mt_end_atom, const std::string& reason, bool deleted) -> caf::result<caf::ok_atom> {
      auto rp = self->make_response_promise<caf::ok_atom>();
      end_meeting(self, reason, deleted, [rp](const caf::error& err) mutable {
        if (err)
          rp.deliver(err);
        else
          rp.deliver(caf::ok_atom::value);
      });
      return rp;
    },
    [self](mt_idle_atom, uint64_t generation) {
      auto& st = self->state;
      if (generation != st.idle_generation || !st.live->empty())
        return;
      // Let the removal of the live state and any chat write land first: a meeting actor started
      // next reads the last chat seq from storage.
      if (st.live_writing || st.live_dirty || st.chat_writing || !st.chat_queue.empty())
        self->delayed_send(self, idle_period, mt_idle_atom::value, st.idle_generation);
      else
        self->quit();
    },
  };
}

} // namespace

caf::actor spawn_meeting(caf::local_actor* directory, std::shared_ptr<const node_context> ctx, caf::actor store,
                         meetings::meeting_record record) {
  return directory->spawn<caf::linked>(meeting, std::move(ctx), std::move(store), std::move(record));
}

} // namespace parley::actors
