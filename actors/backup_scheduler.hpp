// Backups on a schedule: a verified backup every interval, keeping the newest few.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

namespace parley::storage {
class database;
}

namespace parley::actors {

struct backup_schedule {
  std::string backup_dir;
  std::chrono::seconds interval{0};
  uint32_t keep = 7;
};

/// Spawns a detached actor (backups block on disk I/O) that makes a verified backup every
/// `schedule.interval` and prunes all but the newest `schedule.keep`. Failures are logged and
/// retried at the next interval. Send it an exit message to stop it.
caf::actor spawn_backup_scheduler(caf::actor_system& system, std::shared_ptr<storage::database> db,
                                  backup_schedule schedule);

} // namespace parley::actors
