// A stored account, and the profile of it that other parts of the server may see.
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <msgpack.hpp>

namespace parley::accounts {

/// What sessions, meetings and clients know of a user: never the password hash.
struct user_profile {
  uint64_t id = 0;
  std::string username;
  std::string display_name;
  bool is_admin = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_profile& x) {
  return f(caf::meta::type_name("parley.accounts.user_profile"), x.id, x.username, x.display_name,
           x.is_admin);
}

struct user_record {
  uint64_t id = 0;
  std::string username; // as registered; lookups are case-insensitive
  std::string display_name;
  std::string password_hash; // Argon2id PHC string
  int64_t created_at = 0;    // unix seconds
  bool is_admin = false;
  bool disabled = false;
  uint64_t org_id = 1; // accounts::default_org_id; records written before organisations decode to it
  MSGPACK_DEFINE_MAP(id, username, display_name, password_hash, created_at, is_admin, disabled, org_id)

  user_profile profile() const { return user_profile{id, username, display_name, is_admin}; }
};

/// A sign-in token's server-side record, stored under the token's digest.
struct token_record {
  uint64_t user_id = 0;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  MSGPACK_DEFINE_MAP(user_id, created_at, expires_at)
};

} // namespace parley::accounts
