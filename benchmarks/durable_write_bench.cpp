// durable_write_bench: acknowledged writes/s through the group-committing store actor against single synced RocksDB puts.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include <caf/all.hpp>
#include <rocksdb/db.h>

#include "actors/type_registry.hpp"
#include "benchmarks/bench_support.hpp"
#include "storage/database.hpp"
#include "storage/store.hpp"
#include "storage/store_messages.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/node_metrics.hpp"

using namespace parley;
using namespace parley::bench;

namespace {

constexpr double goal_ratio_at_256 = 20.0;

/// Shared by the writers of one run; the main thread reads `acked` to time the window.
struct run_state {
  std::atomic<uint64_t> acked{0};
  std::atomic<uint64_t> failed{0};
  std::atomic<size_t> stopped{0};
  std::atomic<bool> stop{false};
  size_t value_bytes = 100;
};

/// Keys sort by writer then sequence, big-endian, like the node's own keys.
std::string key_of(uint32_t writer, uint64_t seq) {
  std::string key(12, '\0');
  for (int i = 0; i < 4; ++i)
    key[static_cast<size_t>(i)] = static_cast<char>(writer >> (24 - 8 * i));
  for (int i = 0; i < 8; ++i)
    key[static_cast<size_t>(4 + i)] = static_cast<char>(seq >> (56 - 8 * i));
  return key;
}

void put_next(caf::event_based_actor* self, caf::actor store, std::shared_ptr<run_state> run, uint32_t writer,
              uint64_t seq) {
  storage::write_set set;
  set.put(storage::column_family::messages, key_of(writer, seq), std::string(run->value_bytes, 'v'));
  self->request(store, caf::infinite, storage::write_atom::value, std::move(set))
    .then(
      [=](caf::ok_atom) {
        run->acked.fetch_add(1, std::memory_order_relaxed);
        if (run->stop.load(std::memory_order_relaxed)) {
          run->stopped.fetch_add(1);
          self->quit();
        } else {
          put_next(self, store, run, writer, seq + 1);
        }
      },
      [=](caf::error&) {
        run->failed.fetch_add(1);
        run->stopped.fetch_add(1);
        self->quit();
      });
}

/// One writer: one put in flight, the next one sent when the store acknowledges the last.
void writer(caf::event_based_actor* self, caf::actor store, std::shared_ptr<run_state> run, uint32_t index) {
  put_next(self, std::move(store), std::move(run), index, 0);
}

struct figures {
  double writes_per_second = 0;
  double writes_per_sync = 0;
  double mean_sync_ms = 0;
};

figures measure_store(caf::actor_system& system, const caf::actor& store, telemetry::node_metrics& metrics,
                      size_t writers, uint32_t first_writer_id, size_t value_bytes, std::chrono::milliseconds warmup,
                      std::chrono::milliseconds measure, std::string& error) {
  auto run = std::make_shared<run_state>();
  run->value_bytes = value_bytes;
  for (size_t i = 0; i < writers; ++i)
    system.spawn(writer, store, run, first_writer_id + static_cast<uint32_t>(i));
  std::this_thread::sleep_for(warmup);
  auto acked_before = run->acked.load();
  auto batches_before = metrics.storage_batches.value();
  auto syncs_before = metrics.storage_sync_duration.count();
  auto sync_seconds_before = metrics.storage_sync_duration.sum();
  auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(measure);
  auto acked_after = run->acked.load();
  auto ended = std::chrono::steady_clock::now();
  auto batches_after = metrics.storage_batches.value();
  auto syncs_after = metrics.storage_sync_duration.count();
  auto sync_seconds_after = metrics.storage_sync_duration.sum();
  run->stop = true;
  while (run->stopped.load() < writers)
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  if (run->failed > 0)
    error = std::to_string(run->failed.load()) + " writes failed";
  figures f;
  auto seconds = std::chrono::duration<double>(ended - started).count();
  f.writes_per_second = static_cast<double>(acked_after - acked_before) / seconds;
  if (batches_after > batches_before)
    f.writes_per_sync = static_cast<double>(acked_after - acked_before) / static_cast<double>(batches_after - batches_before);
  if (syncs_after > syncs_before)
    f.mean_sync_ms = 1000.0 * (sync_seconds_after - sync_seconds_before) / static_cast<double>(syncs_after - syncs_before);
  return f;
}

/// The anchor: what one caller gets from RocksDB alone, one synced put at a time.
double measure_direct(storage::database& db, size_t value_bytes, std::chrono::milliseconds warmup,
                      std::chrono::milliseconds measure, std::string& error) {
  rocksdb::WriteOptions synced;
  synced.sync = true;
  const std::string value(value_bytes, 'v');
  auto* family = db.handle(storage::column_family::messages);
  auto now = [] { return std::chrono::steady_clock::now(); };
  const auto measure_from = now() + warmup;
  const auto measure_until = measure_from + measure;
  uint64_t seq = 0;
  uint64_t counted = 0;
  auto first = measure_from;
  while (true) {
    auto status = db.raw().Put(synced, family, key_of(0xffffffffu, seq++), value);
    if (!status.ok()) {
      error = status.ToString();
      return -1;
    }
    auto t = now();
    if (t >= measure_until)
      break;
    if (t >= measure_from) {
      if (counted++ == 0)
        first = t;
    }
  }
  auto seconds = std::chrono::duration<double>(now() - first).count();
  return static_cast<double>(counted) / seconds;
}

} // namespace

int main(int argc, char** argv) {
  options opts{argc, argv};
  const auto writer_counts = opts.counts("writers", "1,16,256");
  const auto value_bytes = static_cast<size_t>(opts.number("value-bytes", 100));
  const std::chrono::milliseconds warmup{opts.number("warmup-ms", 1000)};
  const std::chrono::milliseconds measure{opts.number("measure-ms", 5000)};
  const std::filesystem::path parent = opts.text("dir", std::filesystem::temp_directory_path().string());

  temp_folder dir{parent, "parley-durable-"};
  if (!dir.ok()) {
    std::fprintf(stderr, "durable_write_bench: cannot create a folder in %s\n", parent.c_str());
    return 1;
  }
  std::string error;
  auto db = storage::database::open(dir.path().string(), error);
  if (!db) {
    std::fprintf(stderr, "durable_write_bench: %s\n", error.c_str());
    return 1;
  }
  std::printf("durable_write_bench: %zu-byte puts, %.1f s warm-up + %.1f s measured, database in %s\n", value_bytes,
              warmup.count() / 1000.0, measure.count() / 1000.0, dir.path().c_str());
  std::fflush(stdout);

  // The anchor runs before and after the store runs; the disk is shared, so the mean is the fairer reference.
  auto anchor_before = measure_direct(*db, value_bytes, warmup, measure, error);
  if (anchor_before <= 0) {
    std::fprintf(stderr, "durable_write_bench: direct puts: %s\n", error.c_str());
    return 1;
  }

  caf::actor_system_config cfg;
  actors::register_message_types(cfg);
  cfg.set("scheduler.policy", caf::atom("sharing")); // as parleyd runs it (config/server_config.cpp)
  telemetry::metrics_registry registry;
  telemetry::node_metrics metrics{registry};
  std::vector<std::pair<size_t, figures>> results;
  {
    caf::actor_system system{cfg};
    auto store = storage::spawn_store(system, db, &metrics);
    uint32_t next_writer_id = 0;
    for (auto writers : writer_counts) {
      auto f = measure_store(system, store, metrics, writers, next_writer_id, value_bytes, warmup, measure, error);
      next_writer_id += static_cast<uint32_t>(writers);
      if (!error.empty()) {
        std::fprintf(stderr, "durable_write_bench: store, %zu writers: %s\n", writers, error.c_str());
        caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
        return 1;
      }
      results.emplace_back(writers, f);
    }
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  }
  auto anchor_after = measure_direct(*db, value_bytes, warmup, measure, error);
  if (anchor_after <= 0) {
    std::fprintf(stderr, "durable_write_bench: direct puts: %s\n", error.c_str());
    return 1;
  }
  const double anchor = (anchor_before + anchor_after) / 2;

  std::printf("%-38s  %10s  %12s  %13s  %7s\n", "", "writes/s", "writes/sync", "mean sync ms", "ratio");
  std::printf("%-38s  %10s  %12s  %13s  %7s\n", "anchor: direct Put(sync=true), before", grouped(anchor_before).c_str(),
              "1", "", "");
  std::printf("%-38s  %10s  %12s  %13s  %7s\n", "anchor: direct Put(sync=true), after", grouped(anchor_after).c_str(),
              "1", "", "");
  std::printf("%-38s  %10s  %12s  %13s  %6.2fx\n", "anchor: mean", grouped(anchor).c_str(), "1", "", 1.0);
  for (const auto& [writers, f] : results) {
    auto label = "store actor, " + std::to_string(writers) + " writer" + (writers == 1 ? "" : "s");
    std::printf("%-38s  %10s  %12.1f  %13.2f  %6.2fx\n", label.c_str(), grouped(f.writes_per_second).c_str(),
                f.writes_per_sync, f.mean_sync_ms, f.writes_per_second / anchor);
  }
  for (const auto& [writers, f] : results) {
    auto ratio = f.writes_per_second / anchor;
    std::printf("summary: durable_write %zu writer(s): %s writes/s, anchor %s writes/s, ratio %.1fx", writers,
                grouped(f.writes_per_second).c_str(), grouped(anchor).c_str(), ratio);
    if (writers == 256)
      std::printf(" (goal >= %.0fx: %s)", goal_ratio_at_256, verdict_at_least(ratio, goal_ratio_at_256).c_str());
    std::printf("\n");
  }
  return 0;
}
