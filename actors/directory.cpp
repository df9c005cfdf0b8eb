// Directory: meeting id → live meeting actor (activated from storage on demand); meeting record and PMI writes.
#include "actors/directory.hpp"

#include <chrono>
#include <map>
#include <set>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/meeting.hpp"
#include "actors/meeting_messages.hpp"
#include "accounts/account_repository.hpp"
#include "actors/service_error.hpp"
#include "meetings/meeting_id.hpp"
#include "meetings/meeting_repository.hpp"
#include "storage/store_messages.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
using meetings::meeting_record;
constexpr auto store_timeout = std::chrono::seconds{30};

struct directory_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  std::unique_ptr<meetings::meeting_repository> repository;
  std::unordered_map<uint64_t, caf::actor> live;
  std::map<uint64_t, meeting_record> pending; // records written but not yet acknowledged
  std::set<uint64_t> claimed_pmis;             // PMIs being written right now
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

caf::result<caf::actor> handle_find(directory_actor* self, uint64_t id) {
  auto& st = self->state;
  if (auto it = st.live.find(id); it != st.live.end())
    return it->second;
  auto record = current_record(self, id);
  if (!record)
    return make_service_error(error_code::not_found, "no meeting with that id");
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
    storage::write_set writes;
    meetings::meeting_repository::remove(writes, record);
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
  return {
    [self](dir_find_atom, uint64_t id) { return handle_find(self, id); },
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
