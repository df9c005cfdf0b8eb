// Group commit: the store collects write sets while a detached syncer writes and syncs the last group.
#include "storage/store.hpp"

#include <chrono>
#include <vector>

#include <caf/all.hpp>

#include "storage/database.hpp"
#include "storage/store_messages.hpp"
#include "telemetry/logger.hpp"
#include "telemetry/node_metrics.hpp"

namespace parley::storage {

namespace {

struct syncer_state {
  std::shared_ptr<database> db;
  telemetry::node_metrics* metrics = nullptr;
  static inline const char* name = "parley.store.syncer";
};

// Runs on its own thread: the WAL sync blocks, and must never block a scheduler thread.
caf::behavior syncer(caf::stateful_actor<syncer_state>* self, std::shared_ptr<database> db,
                     telemetry::node_metrics* metrics) {
  self->state.db = std::move(db);
  self->state.metrics = metrics;
  return {
    [self](commit_atom, const write_set& group, uint64_t writes) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto started = std::chrono::steady_clock::now();
      auto status = st.db->write_synced(group);
      if (st.metrics) {
        st.metrics->storage_sync_duration.observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        st.metrics->storage_batches.add();
        if (status.ok())
          st.metrics->storage_writes.add(writes);
      }
      if (!status.ok()) {
        telemetry::logger("store")->error("batch of {} writes failed: {}", writes, status.ToString());
        return caf::make_error(caf::sec::runtime_error, status.ToString());
      }
      return caf::ok_atom::value;
    },
  };
}

struct store_state {
  caf::actor syncer;
  write_set pending;
  std::vector<caf::response_promise> waiting;
  bool in_flight = false;
  static inline const char* name = "parley.store";
};

void start_commit(caf::stateful_actor<store_state>* self) {
  auto& st = self->state;
  if (st.in_flight || st.waiting.empty())
    return;
  st.in_flight = true;
  auto group = std::move(st.pending);
  auto promises = std::move(st.waiting);
  st.pending = write_set{};
  st.waiting.clear();
  auto writes = static_cast<uint64_t>(promises.size());
  self->request(st.syncer, caf::infinite, commit_atom::value, std::move(group), writes)
    .then(
      [self, promises](caf::ok_atom) mutable {
        for (auto& rp : promises)
          rp.deliver(caf::ok_atom::value);
        self->state.in_flight = false;
        start_commit(self);
      },
      [self, promises](caf::error& err) mutable {
        for (auto& rp : promises)
          rp.deliver(err);
        self->state.in_flight = false;
        start_commit(self);
      });
}

caf::behavior store(caf::stateful_actor<store_state>* self, std::shared_ptr<database> db,
                    telemetry::node_metrics* metrics) {
  self->state.syncer = self->spawn<caf::detached + caf::linked>(syncer, std::move(db), metrics);
  return {
    [self](write_atom, write_set& set) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (set.ops.empty())
        return caf::ok_atom::value;
      for (auto& op : set.ops)
        st.pending.ops.push_back(std::move(op));
      auto rp = self->make_response_promise<caf::ok_atom>();
      st.waiting.push_back(rp);
      start_commit(self);
      return rp;
    },
  };
}

} // namespace

caf::actor spawn_store(caf::actor_system& system, std::shared_ptr<database> db,
                       telemetry::node_metrics* metrics) {
  return system.spawn(store, std::move(db), metrics);
}

} // namespace parley::storage
