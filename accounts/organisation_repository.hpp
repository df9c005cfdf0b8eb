// Where organisations live in storage: 'o'|id in the accounts family.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/organisation.hpp"
#include "storage/write_set.hpp"

namespace parley::storage {
class database;
}

namespace parley::accounts {

class organisation_repository {
public:
  explicit organisation_repository(storage::database& db) : db_(db) {}

  std::optional<org_record> find(uint64_t id) const;
  std::vector<org_record> list() const;
  /// The organisation of a user (the default one for a user without a stored org).
  std::optional<org_record> find_for_user(uint64_t user_id) const;

  /// Why one more participant may not join a meeting of organisation `org_id` that already has
  /// `participants` (its tier's cap is reached); nullopt if they may.
  std::optional<std::string> tier_refusal(uint64_t org_id, size_t participants) const;

  static void put(storage::write_set& writes, const org_record& org);
  static void erase(storage::write_set& writes, uint64_t id);

private:
  storage::database& db_;
};

/// Creates the default organisation if the data folder has none yet. Returns an error text or "".
/// Only for a process that owns the database exclusively (start-up, the CLI).
std::string ensure_default_organisation(storage::database& db);

} // namespace parley::accounts
