// Audit log: entries are numbered and chained here, one at a time, then written through the store.
#include "actors/audit_log.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/audit_messages.hpp"
#include "actors/supervisor.hpp"
#include "audit/audit_chain.hpp"
#include "audit/audit_repository.hpp"
#include "storage/store_messages.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

constexpr auto store_timeout = std::chrono::seconds{30};

struct audit_log_state {
  caf::actor store;
  uint64_t last_seq = 0;
  std::string last_hash;
  static inline const char* name = "parley.audit_log";
};

using audit_log_actor = caf::stateful_actor<audit_log_state>;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

caf::behavior audit_log(audit_log_actor* self, std::shared_ptr<const node_context> ctx, caf::actor store) {
  auto& st = self->state;
  st.store = std::move(store);
  audit::audit_repository repository{*ctx->db};
  if (auto last = repository.last()) {
    st.last_seq = last->seq;
    st.last_hash = last->hash;
  } else {
    st.last_hash = audit::genesis_hash();
  }
  return {
    [self](audit_append_atom, audit::audit_event& event) -> caf::result<uint64_t> {
      auto& st = self->state;
      event.seq = st.last_seq + 1;
      event.at_ms = now_ms();
      audit::seal(event, st.last_hash);
      // The chain advances now: the store commits write sets in the order it receives them.
      st.last_seq = event.seq;
      st.last_hash = event.hash;
      storage::write_set writes;
      audit::audit_repository::put(writes, event);
      auto rp = self->make_response_promise<uint64_t>();
      self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
        .then([rp, seq = event.seq](caf::ok_atom) mutable { rp.deliver(seq); },
              [self, rp](caf::error& err) mutable {
                // A gap would break the chain for every later entry: stop, and restart from storage.
                telemetry::logger("audit")->error("could not store an audit entry: {}", caf::to_string(err));
                rp.deliver(err);
                self->quit(err);
              });
      return rp;
    },
  };
}

} // namespace

caf::actor spawn_audit_log(caf::actor_system& system, std::shared_ptr<const node_context> ctx, caf::actor store) {
  return system.spawn(audit_log, std::move(ctx), std::move(store));
}

void record_audit(caf::actor_system& system, audit::audit_event event) {
  auto log = lookup_service(system, audit_service_name);
  if (!log) {
    telemetry::logger("audit")->error("audit log restarting: lost a {} entry for user {}", event.kind,
                                      event.actor_id);
    return;
  }
  caf::anon_send(log, audit_append_atom::value, std::move(event));
}

} // namespace parley::actors
