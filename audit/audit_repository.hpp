// Where audit entries live: 'e'|seq in the audit family; reads, filtered queries, verification.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_event.hpp"
#include "storage/write_set.hpp"

namespace parley::storage {
class database;
}

namespace parley::audit {

struct audit_filter {
  int64_t from_ms = 0;             // inclusive; 0: from the start
  int64_t to_ms = 0;               // exclusive; 0: until now
  std::optional<uint64_t> actor_id;
  std::string kind;                // exact kind, or a prefix ending in '.' (e.g. "user.")
  std::optional<uint64_t> org_id;
  uint64_t after_seq = 0;          // for paging: entries with a greater seq
  size_t limit = 1000;
  bool matches(const audit_event& e) const;
};

struct verify_report {
  bool intact = true;
  uint64_t entries = 0;     // entries checked
  uint64_t first_broken = 0; // seq (or position) of the first entry that does not verify
  std::string problem;      // what is wrong with it
};

class audit_repository {
public:
  explicit audit_repository(storage::database& db) : db_(db) {}

  /// The entry with the highest seq, if any.
  std::optional<audit_event> last() const;
  std::vector<audit_event> query(const audit_filter& filter) const;
  /// Calls `visit` for each matching entry in seq order (for exports without a size cap).
  void scan(const audit_filter& filter, const std::function<void(const audit_event&)>& visit) const;
  /// Walks the whole chain from the first entry: each entry decodes, has seq = previous + 1,
  /// links to the previous hash and hashes to its stored hash.
  verify_report verify() const;

  static std::string key(uint64_t seq);
  static void put(storage::write_set& writes, const audit_event& event);

private:
  storage::database& db_;
};

} // namespace parley::audit
