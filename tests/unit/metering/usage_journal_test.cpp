// Folding the meter journal: exact usage, each event counted once, time split at midnight.
#include <catch2/catch.hpp>

#include "metering/usage_journal.hpp"
#include "storage/database.hpp"
#include "temp_dir.hpp"

using namespace parley;
using metering::meter_kind;

namespace {

constexpr int64_t day_ms = 86'400'000;

void append(storage::database& db, meter_kind kind, uint64_t meeting, uint64_t participant, int64_t at) {
  storage::write_set writes;
  metering::journal_append(writes, metering::meter_event{static_cast<uint8_t>(kind), meeting, participant, 9, at});
  REQUIRE(db.write_synced(writes).ok());
}

size_t fold(storage::database& db, int64_t settled_before, size_t limit = 1000) {
  storage::write_set writes;
  auto folded = metering::fold_journal(db, settled_before, limit, writes);
  REQUIRE(db.write_synced(writes).ok());
  return folded;
}

} // namespace

TEST_CASE("usage counts meetings, participant time and peak once, however often folding runs", "[metering]") {
  test::temp_dir dir;
  std::string error;
  auto db = storage::database::open(dir.path(), error);
  REQUIRE(db);
  const int64_t t0 = 20000 * day_ms + 1000; // a day number well past 1970
  append(*db, meter_kind::start, 1, 0, t0);
  append(*db, meter_kind::join, 1, 11, t0);
  append(*db, meter_kind::join, 1, 12, t0 + 10);
  append(*db, meter_kind::leave, 1, 12, t0 + 60'010);
  append(*db, meter_kind::join, 1, 13, t0 + 70'000);
  append(*db, meter_kind::leave, 1, 11, t0 + 120'000);
  append(*db, meter_kind::leave, 1, 13, t0 + 130'000);
  append(*db, meter_kind::end, 1, 0, t0 + 130'000);
  append(*db, meter_kind::join, 2, 21, t0 + day_ms - 1000 - 30'000); // 30 s before midnight …
  append(*db, meter_kind::leave, 2, 21, t0 + day_ms - 1000 + 90'000); // … 90 s after it

  // Only settled events fold, in limited batches; later folds pick up where the last stopped.
  CHECK(fold(*db, t0 + 65'000, 2) == 2);
  CHECK(fold(*db, t0 + 65'000) == 2);
  CHECK(metering::journal_backlog(*db) == 6);
  CHECK(fold(*db, t0 + 2 * day_ms) == 6);
  CHECK(fold(*db, t0 + 2 * day_ms) == 0); // nothing counted twice
  CHECK(metering::journal_backlog(*db) == 0);

  const auto day = metering::day_of_ms(t0);
  auto usage = metering::usage_between(*db, 9, day, day + 1);
  REQUIRE(usage.size() == 2);
  CHECK(usage[0].meetings == 1);
  CHECK(usage[0].peak_concurrency == 2);
  CHECK(usage[0].participant_ms == 120'000 + 60'000 + 60'000 + 30'000);
  CHECK(usage[1].participant_ms == 90'000);
  CHECK(metering::day_text(day) == "2024-10-04");
  CHECK(metering::day_from_text("2024-10-04") == day);
  CHECK_FALSE(metering::day_from_text("2024-13-01"));
  CHECK_FALSE(metering::day_from_text("yesterday"));
}
