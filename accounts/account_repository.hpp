// Where accounts and tokens live in storage: keys, value encoding, point reads, write sets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/user_record.hpp"
#include "storage/store_messages.hpp"

namespace parley::storage {
class database;
}

namespace parley::accounts {

/// Usernames are 3-32 characters of [a-z0-9._-] after lower-casing; nullopt if invalid.
std::optional<std::string> normalize_username(std::string_view username);

class account_repository {
public:
  explicit account_repository(storage::database& db) : db_(db) {}

  std::optional<user_record> find_by_id(uint64_t id) const;
  std::optional<user_record> find_by_username(std::string_view normalized) const;
  std::optional<token_record> find_token(std::string_view digest) const;
  /// Every user in username order (for the admin CLI; not for hot paths).
  std::vector<user_record> list_users() const;

  /// Adds the user and its username index entry.
  static void add_user(storage::write_set& writes, const user_record& user);
  /// Removes the user and its username index entry.
  static void remove_user(storage::write_set& writes, const user_record& user);
  static void add_token(storage::write_set& writes, std::string_view digest, const token_record& token);
  static void remove_token(storage::write_set& writes, std::string_view digest);
  /// The user id if `op` writes or erases a user record (not its username index); nullopt otherwise.
  static std::optional<uint64_t> user_written_by(const storage::write_op& op);

private:
  storage::database& db_;
};

int64_t unix_now();

} // namespace parley::accounts
