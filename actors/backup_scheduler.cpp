// The backup scheduler: create (with checksum verification), then prune, then wait.
#include "actors/backup_scheduler.hpp"

#include <caf/all.hpp>

#include "storage/backup.hpp"
#include "storage/database.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using backup_tick_atom = caf::atom_constant<caf::atom("bk_tick")>;

caf::behavior backup_scheduler(caf::event_based_actor* self, std::shared_ptr<storage::database> db,
                               backup_schedule schedule) {
  self->delayed_send(self, schedule.interval, backup_tick_atom::value);
  return {
    [self, db, schedule](backup_tick_atom) {
      auto log = telemetry::logger("backup");
      storage::backup_info info;
      if (auto error = storage::create_backup(*db, schedule.backup_dir, info); !error.empty())
        log->error("scheduled backup failed: {}", error);
      else if (auto pruned = storage::prune_backups(schedule.backup_dir, schedule.keep); !pruned.empty())
        log->error("backup {} made, but old ones could not be removed: {}", info.id, pruned);
      else
        log->info("backup {} made and verified ({} bytes); keeping the newest {}", info.id, info.size, schedule.keep);
      self->delayed_send(self, schedule.interval, backup_tick_atom::value);
    },
  };
}

} // namespace

caf::actor spawn_backup_scheduler(caf::actor_system& system, std::shared_ptr<storage::database> db,
                                  backup_schedule schedule) {
  return system.spawn<caf::detached>(backup_scheduler, std::move(db), std::move(schedule));
}

} // namespace parley::actors
