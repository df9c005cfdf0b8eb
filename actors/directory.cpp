// Directory: meeting id → live meeting actor (activated from storage on demand); meeting record and PMI writes.
#include "actors/directory.hpp"

#include <chrono>
#include <map>
#include <set>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/meeting.hpp"
#include "actors/meeting_messages.hpp"
#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "accounts/login_throttle.hpp"
#include "actors/service_error.hpp"
#include "meetings/meeting_id.hpp"
#include "meetings/meeting_repository.hpp"
#include "storage/store_messages.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
using meetings::meeting_record;
constexpr auto store_timeout = std::chrono::seconds{30};
constexpr int64_t guest_token_ttl = 4 * 3600; // seconds

/// Guessing meeting ids: unknown ids per user and per address earn growing delays.
accounts::login_throttle::limits enumeration_limits() {
  accounts::login_throttle::limits l;
  l.free_failures_per_user = 10;
  l.free_failures_per_address = 30;
  l.first_delay = std::chrono::seconds{1};
  l.max_delay = std::chrono::seconds{15 * 60};
  l.forget_after = std::chrono::seconds{15 * 60};
  return l;
}

struct directory_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  std::unique_ptr<meetings::meeting_repository> repository;
  std::unordered_map<uint64_t, caf::actor> live;
  std::map<uint64_t, meeting_record> pending; // records written but not yet acknowledged
  std::set<uint64_t> claimed_pmis;             // PMIs being written right now
  accounts::login_throttle enumeration{enumeration_limits()};
  static inline const char* name = "parley.directory";
};

using directory_actor = caf::stateful_actor<directory_state>;

std::optional<meeting_record> current_record(directory_actor* self, uint64_t id) {
  auto& st = self->state;
  if (auto it = st.pending.find(id); it != st.pending.end())
    return it->second;
  return st.repository->find(id);
}

/// Writes `writes` through the store, then delivers `value` (or the store's error).
template <class T>
void write_then(directory_actor* self, storage::write_set writes, caf::typed_response_promise<T> rp, T value,
                uint64_t pending_id = 0) {
  self->request(self->state.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then(
      [self, rp, value, pending_id](caf::ok_atom) mutable {
        if (pending_id)
          self->state.pending.erase(pending_id);
        rp.deliver(value);
      },
      [self, rp, pending_id](caf::error& err) mutable {
        if (pending_id)
          self->state.pending.erase(pending_id);
        rp.deliver(err);
      });
}

/// The record of a personal meeting room (id = the PMI), made on first use for the PMI's owner.
std::optional<meeting_record> personal_room(directory_actor* self, uint64_t pmi) {
  auto& st = self->state;
  auto owner = st.repository->pmi_owner(pmi);
  if (!owner)
    return std::nullopt;
  auto record = current_record(self, pmi);
  if (record && record->host_id == *owner)
    return record;
  // First use, or the PMI changed hands: a fresh room for the current owner.
  meeting_record room;
  room.id = pmi;
  room.host_id = *owner;
  room.topic = "Personal meeting room";
  room.personal = true;
  room.created_at = accounts::unix_now();
  st.pending[pmi] = room;
  storage::write_set writes;
  if (record) // the old owner's listing entry goes
    meetings::meeting_repository::remove(writes, *record);
  meetings::meeting_repository::put(writes, room);
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then([self, pmi](caf::ok_atom) { self->state.pending.erase(pmi); },
          [self, pmi](caf::error&) { self->state.pending.erase(pmi); });
  return room;
}

caf::result<caf::actor> handle_find(directory_actor* self, uint64_t id, uint64_t user_id, const std::string& address) {
  auto& st = self->state;
  const auto user_key = "u" + std::to_string(user_id);
  if (auto wait = st.enumeration.retry_after(user_key, address); wait.count() > 0)
    return make_service_error(error_code::rate_limited, "too many unknown meeting ids; try again in "
                                                          + std::to_string(wait.count()) + " s");
  if (auto it = st.live.find(id); it != st.live.end())
    return it->second;
  auto record = id < meetings::meeting_id_min ? personal_room(self, id) : current_record(self, id);
  if (!record) {
    st.enumeration.record_failure(user_key, address);
    return make_service_error(error_code::not_found, "no meeting with that id");
  }
  if (record->ended_at != 0)
    return make_service_error(error_code::meeting_ended, "this meeting has ended");
  auto meeting = spawn_meeting(self, st.ctx, st.store, std::move(*record));
  st.live.emplace(id, meeting);
  return meeting;
}

caf::result<meeting_record> handle_create(directory_actor* self, meeting_record record) {
  auto& st = self->state;
  do
    record.id = meetings::random_meeting_id();
  while (st.live.count(record.id) || st.pending.count(record.id) || st.repository->find(record.id));
  record.created_at = accounts::unix_now();
  st.pending.emplace(record.id, record);
  storage::write_set writes;
  meetings::meeting_repository::put(writes, record);
  auto rp = self->make_response_promise<meeting_record>();
  write_then(self, std::move(writes), rp, record, record.id);
  return rp;
}

caf::result<meeting_record> handle_update(directory_actor* self, const meeting_record& edited) {
  auto& st = self->state;
  if (auto it = st.live.find(edited.id); it != st.live.end()) {
    // A live meeting owns its record: it merges the edit and writes it.
    auto rp = self->make_response_promise<meeting_record>();
    self->request(it->second, store_timeout, mt_update_atom::value, edited)
      .then([rp](const meeting_record& stored) mutable { rp.deliver(stored); },
            [rp](caf::error& err) mutable { rp.deliver(err); });
    return rp;
  }
  auto record = current_record(self, edited.id);
  if (!record)
    return make_service_error(error_code::not_found, "no meeting with that id");
  record->apply_edit(edited);
  st.pending[edited.id] = *record;
  storage::write_set writes;
  meetings::meeting_repository::put(writes, *record);
  auto rp = self->make_response_promise<meeting_record>();
  write_then(self, std::move(writes), rp, *record, record->id);
  return rp;
}

caf::result<caf::ok_atom> handle_delete(directory_actor* self, uint64_t id) {
  auto& st = self->state;
  auto record = current_record(self, id);
  if (!record)
    return make_service_error(error_code::not_found, "no meeting with that id");
  auto rp = self->make_response_promise<caf::ok_atom>();
  auto erase = [self, rp, record = *record]() mutable {
    // The meeting goes with its chat and any live state.
    storage::write_set writes;
    meetings::meeting_repository::remove(writes, record);
    meetings::meeting_repository::remove_live(writes, record.id);
    self->state.repository->erase_chat(writes, record.id);
    write_then(self, std::move(writes), rp, caf::ok_atom::value);
  };
  if (auto it = st.live.find(id); it != st.live.end()) {
    self->request(it->second, store_timeout, mt_end_atom::value, std::string{"deleted"}, true)
      .then([erase](caf::ok_atom) mutable { erase(); }, [erase](caf::error&) mutable { erase(); });
  } else
    erase();
  return rp;
}

caf::result<uint64_t> handle_pmi(directory_actor* self, uint64_t user_id, uint64_t pmi) {
  auto& st = self->state;
  auto current = st.repository->pmi_of(user_id);
  if (pmi == 0) {
    if (current)
      return *current;
    do
      pmi = meetings::random_pmi();
    while (st.claimed_pmis.count(pmi) || st.repository->pmi_owner(pmi));
  } else {
    if (current == pmi)
      return pmi;
    auto owner = st.repository->pmi_owner(pmi);
    if ((owner && *owner != user_id) || st.claimed_pmis.count(pmi))
      return make_service_error(error_code::conflict, "that personal meeting id is taken");
  }
  st.claimed_pmis.insert(pmi);
  storage::write_set writes;
  meetings::meeting_repository::set_pmi(writes, user_id, current, pmi);
  auto rp = self->make_response_promise<uint64_t>();
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then(
      [self, rp, pmi](caf::ok_atom) mutable {
        self->state.claimed_pmis.erase(pmi);
        rp.deliver(pmi);
      },
      [self, rp, pmi](caf::error& err) mutable {
        self->state.claimed_pmis.erase(pmi);
        rp.deliver(err);
      });
  return rp;
}

/// A guest token for one meeting that allows guests.
caf::result<std::string, uint64_t, int64_t> handle_guest(directory_actor* self, uint64_t meeting_id,
                                                          const std::string& display_name, const std::string& address) {
  auto& st = self->state;
  const std::string no_user = "guest";
  if (auto wait = st.enumeration.retry_after(no_user, address); wait.count() > 0)
    return make_service_error(error_code::rate_limited, "too many unknown meeting ids; try again in "
                                                          + std::to_string(wait.count()) + " s");
  auto record = meeting_id < meetings::meeting_id_min ? personal_room(self, meeting_id) : current_record(self, meeting_id);
  if (!record) {
    st.enumeration.record_failure(no_user, address);
    return make_service_error(error_code::not_found, "no meeting with that id");
  }
  if (record->ended_at != 0)
    return make_service_error(error_code::meeting_ended, "this meeting has ended");
  if (!record->settings.guests_allowed)
    return make_service_error(error_code::forbidden, "this meeting is for signed-in users only");
  meetings::guest_record guest;
  guest.guest_id = accounts::random_id();
  guest.meeting_id = meeting_id;
  guest.display_name = display_name;
  guest.expires_at = accounts::unix_now() + guest_token_ttl;
  auto token = accounts::generate_token();
  storage::write_set writes;
  meetings::meeting_repository::put_guest(writes, accounts::token_digest(token), guest);
  auto rp = self->make_response_promise<std::string, uint64_t, int64_t>();
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then([rp, token, guest](caf::ok_atom) mutable { rp.deliver(token, guest.guest_id, guest.expires_at); },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::behavior directory(directory_actor* self, std::shared_ptr<const node_context> ctx, caf::actor store) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.store = std::move(store);
  st.repository = std::make_unique<meetings::meeting_repository>(*st.ctx->db);
  // Meetings are linked: their exits arrive here. One ending is forgotten; anything else
  // (the supervisor shutting the node down) takes the directory and, through the links, its meetings.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& live = self->state.live;
    for (auto it = live.begin(); it != live.end(); ++it)
      if (it->second.address() == msg.source) {
        live.erase(it);
        return;
      }
    self->quit(msg.reason);
  });
  // Meetings that were live when the node stopped come back at once, so their participants'
  // grace period runs from now and they can resume.
  for (auto id : st.repository->live_meeting_ids())
    if (auto record = st.repository->find(id); record && record->ended_at == 0)
      st.live.emplace(id, spawn_meeting(self, st.ctx, st.store, std::move(*record)));
  return {
    [self](dir_find_atom, uint64_t id, uint64_t user_id, const std::string& address) {
      return handle_find(self, id, user_id, address);
    },
    [self](dir_guest_atom, uint64_t meeting_id, const std::string& display_name, const std::string& address) {
      return handle_guest(self, meeting_id, display_name, address);
    },
    [self](dir_create_atom, meeting_record& record) { return handle_create(self, std::move(record)); },
    [self](dir_update_atom, const meeting_record& edited) { return handle_update(self, edited); },
    [self](dir_delete_atom, uint64_t id) { return handle_delete(self, id); },
    [self](dir_pmi_atom, uint64_t user_id, uint64_t pmi) { return handle_pmi(self, user_id, pmi); },
  };
}

} // namespace

caf::actor spawn_directory(caf::actor_system& system, std::shared_ptr<const node_context> ctx, caf::actor store) {
  return system.spawn(directory, std::move(ctx), std::move(store));
}

} // namespace parley::actors
