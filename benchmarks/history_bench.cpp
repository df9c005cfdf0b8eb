// history_bench: latency of a 50-message `im.history` page at depth in a conversation of 1,000,000
// messages, through parleyd over WSS, against the same page read in-process from the store (the
// floor: one RocksDB seek and 50 sealed values opened) in the same run.
//
// The conversation is made through parleyd (two users, `im.conversation.open_direct`, one `im.send`);
// parleyd stops, the benchmark appends the rest of the timeline with the product's own repository and
// sealing (the same records `im.send` writes, under the sender's data key), then starts parleyd on the
// same data folder again and reads pages at random depths.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <msgpack.hpp>
#include <rocksdb/db.h>

#include "benchmarks/bench_support.hpp"
#include "benchmarks/parleyd_client.hpp"
#include "benchmarks/wss_load_client.hpp"
#include "messaging/message_record.hpp"
#include "messaging/messaging_repository.hpp"
#include "protocol/envelope.hpp"
#include "storage/database.hpp"
#include "storage/encryption_at_rest.hpp"
#include "storage/write_set.hpp"

using namespace parley;
using namespace parley::bench;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr double goal_p99_ms = 5.0;
constexpr uint64_t page = 50;

frame history_frame(uint64_t request_id, const std::string& conversation, uint64_t before_seq) {
  msgpack::sbuffer buffer;
  msgpack::packer pk(buffer);
  pk.pack_map(3);
  pk.pack("op");
  pk.pack("im.history");
  pk.pack("id");
  pk.pack(request_id);
  pk.pack("args");
  pk.pack_map(3);
  pk.pack("conversation_id");
  pk.pack(conversation);
  pk.pack("before_seq");
  pk.pack(before_seq);
  pk.pack("limit");
  pk.pack(page);
  return frame(buffer.data(), buffer.data() + buffer.size());
}

/// The number of messages in an `im.history` reply, or -1 if it is not a successful one.
int page_size(const frame& reply) {
  if (!is_ok_reply(reply))
    return -1;
  try {
    auto handle = msgpack::unpack(reinterpret_cast<const char*>(reply.data()), reply.size());
    auto* result = protocol::find_field(handle.get(), "result");
    auto* messages = result ? protocol::find_field(*result, "messages") : nullptr;
    return messages && messages->type == msgpack::type::ARRAY ? static_cast<int>(messages->via.array.size) : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

struct percentiles {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

percentiles percentiles_of(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double p) {
    return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))];
  };
  return {at(0.50), at(0.90), at(0.99), ms.empty() ? 0.0 : ms.back()};
}

void print_row(const char* what, const percentiles& p, size_t samples) {
  std::printf("%-46s  %8.3f  %8.3f  %8.3f  %8.3f  %7zu\n", what, p.p50, p.p90, p.p99, p.max, samples);
}

/// Appends messages seq 2..total (seq 1 is the one parleyd wrote) written by the two members in
/// turn, in synced batches, sealed at commit like every `im.send`.
bool fill_timeline(storage::database& db, uint64_t conversation, uint64_t first_user, uint64_t second_user,
                   uint64_t total, std::string& error) {
  const int64_t start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count() - static_cast<int64_t>(total);
  std::mt19937_64 random{42};
  constexpr uint64_t batch = 10'000;
  for (uint64_t seq = 2; seq <= total;) {
    storage::write_set writes;
    for (uint64_t end = std::min(total + 1, seq + batch); seq < end; ++seq) {
      messaging::message_record m;
      m.seq = seq;
      m.sender = seq % 2 ? first_user : second_user;
      m.kind = std::string{messaging::kinds::text};
      m.text = "message " + std::to_string(seq) + " " + std::string(20 + random() % 100, 'x') + " \xF0\x9F\x99\x82";
      m.client_id = "h-" + std::to_string(seq);
      m.at = start_ms + static_cast<int64_t>(seq);
      messaging::messaging_repository::put_message(writes, conversation, m);
    }
    auto status = db.write_synced(writes);
    if (!status.ok()) {
      error = status.ToString();
      return false;
    }
  }
  return true;
}

/// A page boundary uniformly at random in [page + 1, total + 1]: a full page anywhere in the timeline.
uint64_t random_depth(std::mt19937_64& random, uint64_t total) {
  return page + 1 + random() % (total - page + 1);
}

} // namespace

int main(int argc, char** argv) {
  options opts{argc, argv};
  const auto total = static_cast<uint64_t>(opts.number("messages", 1'000'000));
  const auto samples = static_cast<size_t>(opts.number("pages", 2000));
  const auto readers = static_cast<size_t>(opts.number("readers", 8));
  const std::filesystem::path parent = opts.text("dir", std::filesystem::temp_directory_path().string());
  const auto parleyd = opts.text("parleyd", PARLEY_BENCH_PARLEYD);
  if (total < 2 * page || samples == 0 || readers == 0) {
    std::fprintf(stderr, "history_bench: --messages must be at least %llu, --pages and --readers at least 1\n",
                 static_cast<unsigned long long>(2 * page));
    return 1;
  }

  temp_folder dir{parent, "parley-history-bench-"};
  const auto data = dir.path().string();
  std::string error;
  std::string conversation;
  signed_in_user reader;
  signed_in_user other;
  {
    auto server = start_parleyd(parleyd, data, error);
    if (!server) {
      std::fprintf(stderr, "history_bench: parleyd: %s\n", error.c_str());
      return 1;
    }
    reader = sign_up_user(server->host(), server->port(), error);
    other = reader.token.empty() ? signed_in_user{} : sign_up_user(server->host(), server->port(), error);
    if (other.token.empty()) {
      std::fprintf(stderr, "history_bench: sign-up: %s\n", error.c_str());
      return 1;
    }
    wss_load_client client{1};
    if (client.connect(server->host(), server->port(), 1, 1, error) != 1) {
      std::fprintf(stderr, "history_bench: connect: %s\n", error.c_str());
      return 1;
    }
    auto one = [&](const frame& request) { return client.exchange({0}, [&](size_t) { return request; }, 1, std::chrono::seconds{30})[0]; };
    if (!is_ok_reply(one(request_frame("auth.hello", 1, {{"token", reader.token}})))) {
      std::fprintf(stderr, "history_bench: auth.hello failed\n");
      return 1;
    }
    auto opened = one(request_frame("im.conversation.open_direct", 2, {{"user_id", other.id}}));
    try {
      auto handle = msgpack::unpack(reinterpret_cast<const char*>(opened.data()), opened.size());
      auto* result = protocol::find_field(handle.get(), "result");
      auto* record = result ? protocol::find_field(*result, "conversation") : nullptr;
      conversation = record ? text_of(protocol::find_field(*record, "conversation_id")) : std::string{};
    } catch (const std::exception&) {
    }
    if (conversation.empty() ||
        !is_ok_reply(one(request_frame("im.send", 3, {{"conversation_id", conversation}, {"client_id", "first"}, {"text", "first"}})))) {
      std::fprintf(stderr, "history_bench: could not open the conversation and send its first message\n");
      return 1;
    }
    client.close_all();
    server->stop();
  }

  // The timeline, then the floor: the same pages read in-process through the repository.
  const uint64_t conversation_id = std::stoull(conversation, nullptr, 16);
  std::vector<double> floor_ms;
  {
    auto db = storage::database::open(data, error);
    if (!db || !(error = storage::enable_encryption_at_rest(*db, data + "/master.key")).empty()) {
      std::fprintf(stderr, "history_bench: open the data folder: %s\n", error.c_str());
      return 1;
    }
    const auto filling = clock_type::now();
    if (!fill_timeline(*db, conversation_id, std::stoull(reader.id, nullptr, 16), std::stoull(other.id, nullptr, 16), total, error)) {
      std::fprintf(stderr, "history_bench: write the timeline: %s\n", error.c_str());
      return 1;
    }
    // A conversation this long grew over months: its timeline has long been compacted.
    rocksdb::CompactRangeOptions everything;
    everything.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    auto compacted = db->raw().CompactRange(everything, db->handle(storage::column_family::messages), nullptr, nullptr);
    if (!compacted.ok()) {
      std::fprintf(stderr, "history_bench: compact: %s\n", compacted.ToString().c_str());
      return 1;
    }
    std::printf("history_bench: %s messages written and compacted in %.1f s (sealed, synced batches of 10,000)\n",
                grouped(static_cast<double>(total)).c_str(),
                std::chrono::duration<double>(clock_type::now() - filling).count());
    std::fflush(stdout);
    messaging::messaging_repository repository{*db};
    std::mt19937_64 random{7};
    for (size_t i = 0; i < samples; ++i) {
      const auto before = random_depth(random, total);
      const auto started = clock_type::now();
      auto messages = repository.before(conversation_id, before, page);
      floor_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - started).count());
      if (messages.size() != page || messages.back().seq != before - 1) {
        std::fprintf(stderr, "history_bench: in-process page before %llu is wrong\n",
                     static_cast<unsigned long long>(before));
        return 1;
      }
    }
  }

  auto server = start_parleyd(parleyd, data, error);
  if (!server) {
    std::fprintf(stderr, "history_bench: parleyd (restart): %s\n", error.c_str());
    return 1;
  }
  wss_load_client client{2};
  if (client.connect(server->host(), server->port(), readers, readers, error) != readers) {
    std::fprintf(stderr, "history_bench: connect: %s\n", error.c_str());
    return 1;
  }
  std::vector<size_t> everyone(readers);
  for (size_t i = 0; i < readers; ++i)
    everyone[i] = i;
  // Every connection is one of the reader's devices.
  for (const auto& hello : client.exchange(
         everyone, [&](size_t) { return request_frame("auth.hello", 1, {{"token", reader.token}}); }, readers,
         std::chrono::seconds{30}))
    if (!is_ok_reply(hello)) {
      std::fprintf(stderr, "history_bench: auth.hello failed after the restart\n");
      return 1;
    }

  std::mt19937_64 random{11};
  uint64_t request_id = 10;
  bool wrong = false;
  auto read_pages = [&](const std::vector<size_t>& which, size_t rounds) {
    std::vector<double> ms;
    for (size_t round = 0; round < rounds && !wrong; ++round) {
      std::vector<double> round_trip_us;
      auto replies = client.exchange(
        which, [&](size_t) { return history_frame(++request_id, conversation, random_depth(random, total)); },
        which.size(), std::chrono::seconds{30}, &round_trip_us);
      for (size_t k = 0; k < replies.size(); ++k) {
        if (page_size(replies[k]) != static_cast<int>(page))
          wrong = true;
        ms.push_back(round_trip_us[k] / 1000.0);
      }
    }
    return ms;
  };
  read_pages({0}, 50); // warm-up: the conversation's actor starts, the first blocks come in
  const auto one_reader = read_pages({0}, samples);
  const auto many_readers = read_pages(everyone, std::max<size_t>(1, samples / readers));
  if (wrong) {
    std::fprintf(stderr, "history_bench: a page came back refused or short\n");
    return 1;
  }

  std::printf("%-46s  %8s  %8s  %8s  %8s  %7s\n", "50-message page at a random depth, ms", "p50", "p90", "p99",
              "max", "pages");
  const auto floor = percentiles_of(floor_ms);
  const auto single = percentiles_of(one_reader);
  const auto concurrent = percentiles_of(many_readers);
  print_row("floor: repository.before() in-process", floor, floor_ms.size());
  print_row("im.history over WSS, 1 reader", single, one_reader.size());
  char label[64];
  std::snprintf(label, sizeof label, "im.history over WSS, %zu readers at once", readers);
  print_row(label, concurrent, many_readers.size());
  std::printf("summary: history %s messages: page p99 %.2f ms (goal <= %.0f ms: %s), %.2f ms with %zu readers of one "
              "conversation at once, in-process floor p99 %.2f ms\n",
              grouped(static_cast<double>(total)).c_str(), single.p99, goal_p99_ms,
              verdict_at_most(single.p99, goal_p99_ms).c_str(), concurrent.p99, readers, floor.p99);
  client.close_all();
  server->stop();
  return 0;
}
