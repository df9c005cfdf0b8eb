// Scheduled backups: made and verified on an interval, pruned to the newest N, restorable.
#include <algorithm>
#include <filesystem>

#include "storage/backup.hpp"
#include "tests/admin/admin_harness.hpp"

using namespace parley;
using namespace parley::test_support;

TEST_CASE("scheduled backups keep the newest two and restore into a working server", "[admin][backup]") {
  // The interval as a flag, the retention from the environment: both ways of setting an option work.
  auto scheduled = admin_server_options({"--backup-interval=1"});
  scheduled.env.emplace_back("PARLEY_BACKUP_KEEP", "2");
  parleyd_process server(scheduled);
  const auto backup_dir = (server.data_dir() / "backups").string();
  auto token = admin_token(server);
  https_client client(server.host(), server.port());
  auto user = register_account(client, unique_username("kept"));
  std::string ignored;
  auto before = storage::list_backups(backup_dir, ignored);
  const uint32_t newest_before = before.empty() ? 0 : before.back().id;

  // Pruning shows as ids growing past 2 while only two backups remain; the newest one was made
  // after the user registered.
  std::vector<storage::backup_info> backups;
  REQUIRE(eventually(
    [&] {
      std::string error;
      backups = storage::list_backups(backup_dir, error);
      return error.empty() && backups.size() == 2 && backups.back().id >= std::max<uint32_t>(4, newest_before + 1);
    },
    std::chrono::seconds{120}));
  REQUIRE(server.stop() == 0);
  for (const auto& b : backups)
    CHECK(storage::verify_backup(backup_dir, b.id).empty());

  const auto restored_dir = (server.data_dir() / "restored").string();
  // A backup number that is not a number is refused with a message, not a crash.
  auto garbled = run_cli("restore --backup-dir=" + backup_dir + " --backup-id=latest --data-dir=" + restored_dir);
  CHECK(garbled.status == 1);
  CHECK(garbled.output.find("--backup-id takes a backup number") != std::string::npos);
  auto restored = run_cli("restore --backup-dir=" + backup_dir + " --data-dir=" + restored_dir);
  INFO(restored.output);
  REQUIRE(restored.status == 0);
  auto verified = run_cli("verify --data-dir=" + restored_dir);
  INFO(verified.output);
  CHECK(verified.status == 0);
  CHECK(verified.output.find("store checksums verified") != std::string::npos);

  // The backup holds encrypted records only; the node's master key opens them.
  parleyd_options options = admin_server_options({"--master-key-file=" + (server.data_dir() / "master.key").string()});
  options.data_dir = restored_dir;
  parleyd_process again(options);
  https_client restored_client(again.host(), again.port());
  CHECK_NOTHROW(login_token(restored_client, user.username));
}
