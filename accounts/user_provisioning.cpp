// Offline user creation and the one-time admin bootstrap, recorded in the meta family.
#include "accounts/user_provisioning.hpp"

#include <sodium.h>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "accounts/organisation_repository.hpp"
#include "storage/database.hpp"

namespace parley::accounts {

namespace {

constexpr std::string_view bootstrapped_key = "admin_bootstrapped";

} // namespace

std::string generate_password(const password_policy& policy) {
  initialize_crypto();
  static constexpr std::string_view alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.";
  for (;;) {
    std::string result;
    auto length = std::max<size_t>(policy.min_length, 20);
    for (size_t i = 0; i < length; ++i)
      result.push_back(alphabet[randombytes_uniform(static_cast<uint32_t>(alphabet.size()))]);
    if (!policy.check(result))
      return result;
  }
}

std::string provision_user(storage::database& db, const password_hasher& hasher, const password_policy& policy,
                           const new_user& request, user_record& created) {
  auto normalized = normalize_username(request.username);
  if (!normalized)
    return "username must be 3-32 characters of letters, digits, '.', '_' or '-'";
  if (auto problem = policy.check(request.password))
    return *problem;
  account_repository repository{db};
  if (repository.find_by_username(*normalized))
    return "the username " + request.username + " is taken";
  auto hash = hasher.hash(request.password);
  if (!hash)
    return "not enough memory to hash the password";
  user_record user;
  user.id = random_id();
  user.username = request.username;
  user.display_name = request.display_name.empty() ? request.username : request.display_name;
  user.password_hash = *hash;
  user.created_at = unix_now();
  user.password_changed_at = user.created_at;
  user.is_admin = request.is_admin;
  storage::write_set writes;
  account_repository::add_user(writes, user);
  if (auto status = db.write_synced(writes); !status.ok())
    return "cannot write the user: " + status.ToString();
  created = std::move(user);
  return {};
}

std::string bootstrap_admin(storage::database& db, const password_hasher& hasher, const password_policy& policy,
                            const std::string& password, std::string& generated) {
  if (auto error = ensure_default_organisation(db); !error.empty())
    return error;
  if (db.get(storage::column_family::meta, bootstrapped_key))
    return {};
  new_user admin{"admin", password, "Administrator", true};
  if (admin.password.empty())
    generated = admin.password = generate_password(policy);
  else if (auto problem = policy.check(admin.password))
    return "PARLEY_ADMIN_PASSWORD does not meet the password policy: " + *problem;
  user_record created;
  account_repository repository{db};
  if (!repository.find_by_username("admin"))
    if (auto error = provision_user(db, hasher, policy, admin, created); !error.empty())
      return error;
  storage::write_set writes;
  writes.put(storage::column_family::meta, std::string{bootstrapped_key}, "1");
  if (auto status = db.write_synced(writes); !status.ok())
    return "cannot record the admin bootstrap: " + status.ToString();
  return {};
}

} // namespace parley::accounts
