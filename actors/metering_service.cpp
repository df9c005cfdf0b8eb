// Metering: one batch at a time — read settled events after the cursor, fold, write usage and cursor together.
#include "actors/metering_service.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "accounts/account_repository.hpp"
#include "accounts/organisation.hpp"
#include "metering/usage_journal.hpp"
#include "storage/store_messages.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using tick_atom = caf::atom_constant<caf::atom("me_tick")>;
constexpr auto tick_interval = std::chrono::seconds{1};
constexpr auto store_timeout = std::chrono::seconds{30};
// Events reach the store a little after they are stamped; only fold those older than this.
constexpr int64_t settle_ms = 2000;
constexpr size_t batch_limit = 2000;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct metering_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  static inline const char* name = "parley.metering";
};

using metering_actor = caf::stateful_actor<metering_state>;

void fold_batch(metering_actor* self) {
  auto& st = self->state;
  storage::write_set writes;
  auto folded = metering::fold_journal(*st.ctx->db, now_ms() - settle_ms, batch_limit, writes);
  if (folded == 0) {
    self->delayed_send(self, tick_interval, tick_atom::value);
    return;
  }
  // The next batch reads what this one wrote, so it starts only after the write is durable.
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then(
      [self, folded](caf::ok_atom) {
        if (folded == batch_limit)
          self->send(self, tick_atom::value); // more waiting: catch up without pausing
        else
          self->delayed_send(self, tick_interval, tick_atom::value);
      },
      [self](caf::error& err) {
        telemetry::logger("metering")->error("could not store usage: {}", caf::to_string(err));
        self->delayed_send(self, tick_interval, tick_atom::value);
      });
}

caf::behavior metering_service(metering_actor* self, std::shared_ptr<const node_context> ctx, caf::actor store) {
  self->state.ctx = std::move(ctx);
  self->state.store = std::move(store);
  self->send(self, tick_atom::value);
  return {
    [self](tick_atom) { fold_batch(self); },
  };
}

} // namespace

caf::actor spawn_metering_service(caf::actor_system& system, std::shared_ptr<const node_context> ctx,
                                  caf::actor store) {
  return system.spawn(metering_service, std::move(ctx), std::move(store));
}

void journal_meter_event(const caf::actor& store, metering::meter_kind kind, uint64_t meeting_id,
                         uint64_t participant_id, uint64_t org_id) {
  metering::meter_event event;
  event.kind = static_cast<uint8_t>(kind);
  event.meeting_id = meeting_id;
  event.participant_id = participant_id;
  event.org_id = org_id;
  event.at_ms = now_ms();
  storage::write_set writes;
  metering::journal_append(writes, event);
  caf::anon_send(store, storage::write_atom::value, std::move(writes));
}

uint64_t metered_org(storage::database& db, uint64_t host_id) {
  auto host = accounts::account_repository{db}.find_by_id(host_id);
  return host ? host->org_id : accounts::default_org_id;
}

} // namespace parley::actors
