// Journal keys 'j'|at|meeting|participant|kind; usage 'd'|org|day; open participations
// 'p'|meeting|participant; live participants per organisation 'l'|org; the cursor 'c'.
#include "metering/usage_journal.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>

#include <rocksdb/db.h>

#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/value_codec.hpp"

namespace parley::metering {

namespace {

using storage::column_family;
using storage::key_builder;
constexpr int64_t day_ms = 86'400'000;
const std::string cursor_key = "c";

struct open_participation {
  int64_t joined_ms = 0;
  uint64_t org_id = 0;
  MSGPACK_DEFINE_MAP(joined_ms, org_id)
};

std::string journal_key(const meter_event& e) {
  return key_builder{}.u8('j').u64(static_cast<uint64_t>(e.at_ms)).u64(e.meeting_id).u64(e.participant_id).u8(e.kind).str();
}
std::string usage_key(uint64_t org, uint32_t day) {
  return key_builder{}.u8('d').u64(org).u32(day).str();
}
std::string open_key(uint64_t meeting, uint64_t participant) {
  return key_builder{}.u8('p').u64(meeting).u64(participant).str();
}
std::string live_key(uint64_t org) {
  return key_builder{}.u8('l').u64(org).str();
}

/// The records a batch touches, read once from storage and written back once.
class fold_state {
public:
  explicit fold_state(storage::database& db) : db_(db) {}

  day_usage& usage(uint64_t org, uint32_t day) {
    auto key = usage_key(org, day);
    auto it = usage_.find(key);
    if (it != usage_.end())
      return it->second;
    day_usage u;
    if (auto bytes = db_.get(column_family::metering, key))
      u = storage::decode_value<day_usage>(*bytes).value_or(day_usage{});
    u.org_id = org;
    u.day = day;
    return usage_.emplace(key, u).first->second;
  }

  uint32_t& live(uint64_t org) {
    auto it = live_.find(org);
    if (it != live_.end())
      return it->second;
    uint32_t n = 0;
    if (auto bytes = db_.get(column_family::metering, live_key(org)))
      n = storage::read_u32(*bytes).value_or(0);
    return live_.emplace(org, n).first->second;
  }

  std::optional<open_participation>& open(uint64_t meeting, uint64_t participant) {
    auto key = open_key(meeting, participant);
    auto it = open_.find(key);
    if (it != open_.end())
      return it->second;
    std::optional<open_participation> p;
    if (auto bytes = db_.get(column_family::metering, key))
      p = storage::decode_value<open_participation>(*bytes);
    return open_.emplace(key, p).first->second;
  }

  void write(storage::write_set& writes) const {
    for (const auto& [key, u] : usage_)
      writes.put(column_family::metering, key, storage::encode_value(u));
    for (const auto& [org, n] : live_)
      writes.put(column_family::metering, live_key(org), key_builder{}.u32(n).str());
    for (const auto& [key, p] : open_) {
      if (p)
        writes.put(column_family::metering, key, storage::encode_value(*p));
      else
        writes.erase(column_family::metering, key);
    }
  }

private:
  storage::database& db_;
  std::map<std::string, day_usage> usage_;
  std::map<uint64_t, uint32_t> live_;
  std::map<std::string, std::optional<open_participation>> open_;
};

/// Adds [from, to) to the participant time of the days it spans.
void add_time(fold_state& state, uint64_t org, int64_t from, int64_t to) {
  while (from < to) {
    auto day_end = (from / day_ms + 1) * day_ms;
    auto until = std::min(to, day_end);
    state.usage(org, day_of_ms(from)).participant_ms += static_cast<uint64_t>(until - from);
    from = until;
  }
}

void fold(fold_state& state, const meter_event& e) {
  switch (static_cast<meter_kind>(e.kind)) {
  case meter_kind::join: {
    auto& p = state.open(e.meeting_id, e.participant_id);
    if (p)
      return; // already counted
    p = open_participation{e.at_ms, e.org_id};
    auto& live = ++state.live(e.org_id);
    auto& u = state.usage(e.org_id, day_of_ms(e.at_ms));
    u.peak_concurrency = std::max(u.peak_concurrency, live);
    return;
  }
  case meter_kind::leave: {
    auto& p = state.open(e.meeting_id, e.participant_id);
    if (!p)
      return;
    add_time(state, p->org_id, p->joined_ms, std::max(p->joined_ms, e.at_ms));
    auto& live = state.live(p->org_id);
    if (live > 0)
      --live;
    p.reset();
    return;
  }
  case meter_kind::start:
    ++state.usage(e.org_id, day_of_ms(e.at_ms)).meetings;
    return;
  case meter_kind::end:
    return;
  }
}

} // namespace

uint32_t day_of_ms(int64_t unix_ms) {
  return static_cast<uint32_t>(std::max<int64_t>(0, unix_ms) / day_ms);
}

std::string day_text(uint32_t day) {
  std::time_t t = static_cast<std::time_t>(day) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::optional<uint32_t> day_from_text(const std::string& text) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970
      || m < 1 || m > 12 || d < 1 || d > 31)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  auto t = timegm(&tm);
  if (t < 0)
    return std::nullopt;
  return static_cast<uint32_t>(t / 86400);
}

void journal_append(storage::write_set& writes, const meter_event& event) {
  writes.put(column_family::metering, journal_key(event), storage::encode_value(event));
}

size_t fold_journal(storage::database& db, int64_t settled_before_ms, size_t limit, storage::write_set& writes) {
  auto cursor = db.get(column_family::metering, cursor_key).value_or(std::string{"j"});
  std::unique_ptr<rocksdb::Iterator> it{db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(column_family::metering))};
  fold_state state{db};
  size_t folded = 0;
  std::string last;
  for (it->Seek(cursor); it->Valid() && it->key().starts_with("j") && folded < limit; it->Next()) {
    if (it->key().ToStringView() == cursor)
      continue;
    auto at = storage::read_u64(it->key().ToStringView(), 1).value_or(0);
    if (static_cast<int64_t>(at) >= settled_before_ms)
      break;
    if (auto event = storage::decode_value<meter_event>(it->value().ToStringView()))
      fold(state, *event);
    last = it->key().ToString();
    writes.erase(column_family::metering, last); // folded events are not needed any more
    ++folded;
  }
  if (folded == 0)
    return 0;
  state.write(writes);
  writes.put(column_family::metering, cursor_key, last);
  return folded;
}

std::vector<day_usage> usage_between(storage::database& db, uint64_t org_id, uint32_t from_day, uint32_t to_day) {
  std::vector<day_usage> result;
  std::unique_ptr<rocksdb::Iterator> it{db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(column_family::metering))};
  auto end = usage_key(org_id, to_day);
  for (it->Seek(usage_key(org_id, from_day)); it->Valid() && it->key().ToStringView() <= end; it->Next())
    if (auto u = storage::decode_value<day_usage>(it->value().ToStringView()))
      result.push_back(*u);
  return result;
}

uint64_t journal_backlog(storage::database& db) {
  auto cursor = db.get(column_family::metering, cursor_key).value_or(std::string{"j"});
  std::unique_ptr<rocksdb::Iterator> it{db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(column_family::metering))};
  uint64_t n = 0;
  for (it->Seek(cursor); it->Valid() && it->key().starts_with("j"); it->Next())
    if (it->key().ToStringView() != cursor)
      ++n;
  return n;
}

} // namespace parley::metering
