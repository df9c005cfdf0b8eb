// encryption_overhead_bench: chat-sized records written to RocksDB plain and sealed (AES-256-GCM
// under a per-owner data key, storage/sealed_value.hpp), side by side; prints the ratio.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <unistd.h>
#include <filesystem>
#include <string>

#include <msgpack.hpp>
#include <rocksdb/db.h>

#include "benchmarks/bench_support.hpp"
#include "storage/data_key_ring.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/sealed_value.hpp"

using namespace parley;

namespace {

struct chat_like {
  uint64_t seq = 0;
  uint64_t from_user = 0;
  std::string from_name = "Participant Name";
  std::string text;
  int64_t at = 0;
  MSGPACK_DEFINE_MAP(seq, from_user, from_name, text, at)
};

/// Writes `count` records in batches of `batch`, each batch one WriteBatch (synced if `sync`),
/// encoding (and sealing, if `ring`) every record; returns records per second.
double run(storage::database& db, storage::data_key_ring* ring, size_t count, size_t batch, size_t text_bytes,
           bool sync, uint64_t key_base) {
  chat_like record;
  record.text.assign(text_bytes, 't');
  rocksdb::WriteOptions options;
  options.sync = sync;
  auto started = std::chrono::steady_clock::now();
  for (size_t i = 0; i < count;) {
    rocksdb::WriteBatch writes;
    for (size_t j = 0; j < batch && i < count; ++j, ++i) {
      record.seq = i;
      record.at = static_cast<int64_t>(i);
      auto value = ring ? storage::encode_sealed_value(*ring, 42, record) : storage::encode_value(record);
      writes.Put(db.handle(storage::column_family::messages), storage::key_builder{}.u64(key_base + i).str(), value);
    }
    db.raw().Write(options, &writes);
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return static_cast<double>(count) / seconds;
}

} // namespace

int main(int argc, char** argv) {
  bench::options opts(argc, argv);
  const auto count = static_cast<size_t>(opts.number("records", 200000));
  const auto text_bytes = static_cast<size_t>(opts.number("text-bytes", 200));
  const auto rounds = static_cast<int>(opts.number("rounds", 3));
  auto dir = std::filesystem::temp_directory_path() / ("parley-enc-bench-" + std::to_string(::getpid()));
  std::string error;
  auto db = storage::database::open(dir.string(), error);
  if (!db) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  storage::data_key_ring ring{db, std::string(32, 'k')};
  std::printf("encryption_overhead_bench: %zu records of %zu-byte text, batches of 64, %d rounds (alternating)\n",
              count, text_bytes, rounds);
  for (bool sync : {false, true}) {
    const size_t n = sync ? count / 10 : count;
    double plain_best = 0, sealed_best = 0;
    uint64_t base = sync ? 1'000'000'000 : 0;
    for (int r = 0; r < rounds; ++r) {
      plain_best = std::max(plain_best, run(*db, nullptr, n, 64, text_bytes, sync, base));
      base += n;
      sealed_best = std::max(sealed_best, run(*db, &ring, n, 64, text_bytes, sync, base));
      base += n;
    }
    std::printf("  %-28s plain %10.0f records/s   sealed %10.0f records/s   sealed/plain = %.3f\n",
                sync ? "synced batches (WAL fsync):" : "unsynced batches:", plain_best, sealed_best,
                sealed_best / plain_best);
  }
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
