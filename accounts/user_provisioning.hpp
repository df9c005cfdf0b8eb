// Creating accounts outside the request path: the first-start admin and `parley user add`.
#pragma once

#include <string>

#include "accounts/password_hasher.hpp"
#include "accounts/password_policy.hpp"
#include "accounts/user_record.hpp"

namespace parley::storage {
class database;
}

namespace parley::accounts {

struct new_user {
  std::string username;
  std::string password;
  std::string display_name;
  bool is_admin = false;
};

/// Validates, hashes and durably writes a user. Returns an error text or "" (then `created` is set).
/// Only for a process that owns the database exclusively (start-up, or the CLI on a stopped node).
std::string provision_user(storage::database& db, const password_hasher& hasher, const password_policy& policy,
                           const new_user& request, user_record& created);

/// Creates `admin` on the first start of an empty data folder. `password` may be empty: then one
/// is generated and returned in `generated`. Later starts do nothing. Returns an error text or "".
std::string bootstrap_admin(storage::database& db, const password_hasher& hasher, const password_policy& policy,
                            const std::string& password, std::string& generated);

/// A random password that satisfies `policy` (at least 20 characters of four classes).
std::string generate_password(const password_policy& policy);

} // namespace parley::accounts
