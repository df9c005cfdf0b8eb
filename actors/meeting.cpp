// Meeting actor: every rule is checked here, where the state lives; every change fans out as events.
#include "actors/meeting.hpp"

#include <chrono>
#include <map>

#include <caf/all.hpp>

#include "actors/meeting_codec.hpp"
#include "actors/meeting_messages.hpp"
#include "actors/metering_service.hpp"
#include "accounts/account_repository.hpp"
#include "accounts/organisation_repository.hpp"
#include "actors/service_error.hpp"
#include "meetings/live_meeting.hpp"
#include "meetings/meeting_repository.hpp"
#include "storage/store_messages.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
using meetings::presence;
constexpr auto store_timeout = std::chrono::seconds{30};
constexpr auto idle_period = std::chrono::seconds{5};
constexpr size_t max_history = 100;

struct meeting_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  std::unique_ptr<meetings::meeting_repository> repository;
  std::optional<meetings::live_meeting> live;
  std::map<uint64_t, caf::actor> sessions; // participant id → its session
  uint64_t last_seq = 0;
  uint64_t idle_generation = 0;
  bool ending = false;
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

void send_event(meeting_actor* self, uint64_t pid, const std::string& name, const bytes& data) {
  auto it = self->state.sessions.find(pid);
  if (it != self->state.sessions.end())
    self->send(it->second, mt_event_atom::value, name, data);
}

/// To every joined participant except `except`.
void broadcast(meeting_actor* self, const std::string& name, const bytes& data, uint64_t except = 0) {
  for (const auto& [pid, p] : self->state.live->participants())
    if (p.presence == presence::joined && pid != except)
      send_event(self, pid, name, data);
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

void announce_updated(meeting_actor* self, uint64_t pid) {
  if (auto* p = self->state.live->find(pid))
    broadcast(self, "participant.updated", participant_data(*p));
}

/// The view a participant gets on joining or admission.
bytes join_view(meeting_actor* self, const meetings::participant& me) {
  const auto& live = *self->state.live;
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  const bool joined = me.presence == presence::joined;
  const bool controls = joined && me.role != meetings::role::participant;
  pk.pack_map(controls ? 9 : 8);
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
  broadcast(self, "participant.joined", participant_data(*p), pid);
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
    st.sessions.erase(it);
  }
  auto left = id_data("participant_id", pid);
  if (gone->presence == presence::joined)
    broadcast(self, "participant.left", left);
  else if (gone->presence == presence::waiting)
    to_controllers(self, "participant.left", left);
  if (gone->role == meetings::role::host)
    if (auto new_host = st.live->pass_host())
      announce_updated(self, *new_host);
  schedule_idle_check(self);
}

/// Ends the meeting for everyone, then calls `done` with the outcome and quits. `deleted`: the
/// record is being removed, so nothing is written.
template <class Done>
void end_meeting(meeting_actor* self, const std::string& reason, bool deleted, Done done) {
  auto& st = self->state;
  st.ending = true;
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
  if (deleted) {
    done(caf::error{});
    self->quit();
    return;
  }
  st.live->record().ended_at = accounts::unix_now();
  storage::write_set writes;
  meetings::meeting_repository::put(writes, st.live->record());
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then(
      [self, done](caf::ok_atom) mutable {
        done(caf::error{});
        self->quit();
      },
      [self, done](caf::error& err) mutable {
        done(err);
        self->quit();
      });
}

// --- handlers ------------------------------------------------------------------------------

caf::result<bytes> handle_join(meeting_actor* self, const join_request& req) {
  auto& st = self->state;
  const auto pid = req.participant_id;
  if (st.ending)
    return make_service_error(error_code::meeting_ended, "this meeting has ended");
  auto session = caf::actor_cast<caf::actor>(self->current_sender());
  if (!session || pid == 0 || st.live->find(pid))
    return make_service_error(error_code::bad_request, "invalid join");
  std::optional<std::string_view> password;
  if (req.has_password)
    password = req.password;
  if (auto refusal = st.live->check_entry(req.user.id, password))
    return refused(*refusal);
  if (auto cap = accounts::organisation_repository{*st.ctx->db}.tier_refusal(st.org_id, st.live->participants().size()))
    return make_service_error(error_code::meeting_full, *cap);
  meetings::participant p;
  p.id = pid;
  p.user_id = req.user.id;
  p.display_name = req.display_name.empty() ? req.user.display_name : req.display_name;
  p.joined_at = now_ms();
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
  if (me.presence == presence::joined)
    broadcast(self, "participant.joined", participant_data(me), pid);
  else if (me.presence == presence::waiting)
    to_controllers(self, "meeting.waiting", participant_data(me));
  for (auto id : released) {
    auto* other = st.live->find(id);
    if (other->presence == presence::joined)
      announce_joined(self, id, true);
    else if (other->presence == presence::waiting) {
      send_event(self, id, "meeting.waiting", participant_data(*other)); // they now wait to be admitted
      to_controllers(self, "meeting.waiting", participant_data(*other), pid); // the joiner sees `waiting`
    }
  }
  return join_view(self, me);
}

bytes empty_result() {
  return protocol::empty_map();
}

caf::result<bytes> handle_chat_send(meeting_actor* self, const meeting_command& cmd) {
  auto& st = self->state;
  if (auto refusal = st.live->check_chat(cmd.participant_id, cmd.target))
    return refused(*refusal);
  const auto& sender = *st.live->find(cmd.participant_id);
  meetings::chat_record record;
  record.seq = ++st.last_seq;
  record.from_user = sender.user_id;
  record.from_participant = sender.id;
  record.from_name = sender.display_name;
  if (cmd.target != 0) {
    record.to_participant = cmd.target;
    record.to_user = st.live->find(cmd.target)->user_id;
  }
  record.text = cmd.kind;
  record.at = now_ms();
  storage::write_set writes;
  meetings::meeting_repository::add_chat(writes, st.live->record().id, record);
  auto rp = self->make_response_promise<bytes>();
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then(
      [self, rp, record](caf::ok_atom) mutable {
        msgpack::sbuffer buffer;
        meeting_packer pk(buffer);
        pack_chat(pk, record);
        auto data = to_packed(buffer);
        if (record.is_private()) {
          send_event(self, record.from_participant, "chat.message", data);
          send_event(self, record.to_participant, "chat.message", data);
        } else
          broadcast(self, "chat.message", data);
        msgpack::sbuffer result;
        meeting_packer rpk(result);
        rpk.pack_map(1);
        rpk.pack("seq");
        rpk.pack(record.seq);
        rp.deliver(to_packed(result));
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
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

caf::result<bytes> handle_command(meeting_actor* self, const meeting_command& cmd) {
  auto& st = self->state;
  auto& live = *st.live;
  const auto me = cmd.participant_id;
  // Only the session that joined as this participant may act as it.
  auto it = st.sessions.find(me);
  if (it == st.sessions.end() || it->second.address() != self->current_sender())
    return make_service_error(error_code::forbidden, "not a participant of this meeting");
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
    return empty_result();
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
    return empty_result();
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
  if (op == "meeting.lock") {
    live.set_locked(cmd.flag);
    msgpack::sbuffer buffer;
    meeting_packer pk(buffer);
    pk.pack_map(1);
    pk.pack("locked");
    pk.pack(cmd.flag);
    broadcast(self, "meeting.locked", to_packed(buffer));
    return empty_result();
  }
  if (op == "meeting.admit") {
    if (auto refusal = live.admit(cmd.target))
      return refused(*refusal);
    announce_joined(self, cmd.target, true);
    persist(self);
    return empty_result();
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
      if (auto* p = live.find(pid))
        broadcast(self, "participant.joined", participant_data(*p), pid);
    if (!waiting.empty())
      persist(self);
    return empty_result();
  }
  if (op == "meeting.deny") {
    auto* p = live.find(cmd.target);
    if (!p || p->presence != presence::waiting)
      return make_service_error(error_code::not_found, "no such participant in the waiting room");
    remove_participant(self, cmd.target, "denied");
    return empty_result();
  }
  if (op == "participant.kick") {
    if (auto refusal = live.check_remove(me, cmd.target))
      return refused(*refusal);
    if (cmd.flag)
      live.ban(live.find(cmd.target)->user_id);
    remove_participant(self, cmd.target, cmd.flag ? "banned" : "kicked");
    return empty_result();
  }
  if (op == "participant.mute") {
    if (cmd.all) {
      for (auto pid : live.mute_all(cmd.kind))
        announce_updated(self, pid);
      return empty_result();
    }
    auto* p = live.find(cmd.target);
    if (!p || p->presence != presence::joined)
      return make_service_error(error_code::not_found, "no such participant in the meeting");
    if (live.mute(cmd.target, cmd.kind))
      announce_updated(self, cmd.target);
    return empty_result();
  }
  if (op == "hand.lower") { // someone else's hand, or everyone's
    std::vector<uint64_t> targets;
    if (cmd.all) {
      for (const auto& [pid, p] : live.participants())
        if (p.hand_raised)
          targets.push_back(pid);
    } else {
      if (!live.find(cmd.target))
        return make_service_error(error_code::not_found, "no such participant in the meeting");
      targets.push_back(cmd.target);
    }
    for (auto pid : targets)
      if (live.set_hand(pid, false))
        broadcast(self, "hand.lowered", id_data("participant_id", pid));
    return empty_result();
  }
  return make_service_error(error_code::unknown_op, "unknown meeting op '" + op + "'");
}

caf::behavior meeting(meeting_actor* self, std::shared_ptr<const node_context> ctx, caf::actor store,
                      meetings::meeting_record record) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.store = std::move(store);
  st.repository = std::make_unique<meetings::meeting_repository>(*st.ctx->db);
  st.last_seq = st.repository->last_chat_seq(record.id);
  st.org_id = metered_org(*st.ctx->db, record.host_id);
  st.live.emplace(std::move(record));
  schedule_idle_check(self);
  self->set_down_handler([self](caf::down_msg& msg) {
    // A session that is gone leaves (no reconnect grace period yet).
    std::vector<uint64_t> gone;
    for (const auto& [pid, session] : self->state.sessions)
      if (session.address() == msg.source)
        gone.push_back(pid);
    for (auto pid : gone)
      remove_participant(self, pid, {});
  });
  return {
    [self](mt_join_atom, const join_request& req) { return handle_join(self, req); },
    [self](mt_command_atom, const meeting_command& cmd) { return handle_command(self, cmd); },
    [self](mt_leave_atom, uint64_t pid) {
      auto it = self->state.sessions.find(pid);
      if (it != self->state.sessions.end() && it->second.address() == self->current_sender())
        remove_participant(self, pid, {});
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
      if (generation == self->state.idle_generation && self->state.live->empty())
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
