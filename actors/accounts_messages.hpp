// Messages of the accounts service: registration, sign-in and sign-out.
#pragma once

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include "accounts/user_record.hpp"

namespace parley::actors {

/// (register_atom, registration) → user_profile
using register_atom = caf::atom_constant<caf::atom("ac_reg")>;
/// (login_atom, login_attempt) → login_grant
using login_atom = caf::atom_constant<caf::atom("ac_login")>;
/// (logout_atom, token) → ok_atom
using logout_atom = caf::atom_constant<caf::atom("ac_logout")>;
/// (hash_atom, password) → std::string hash;  (verify_atom, hash, password) → bool
using hash_atom = caf::atom_constant<caf::atom("pw_hash")>;
using verify_atom = caf::atom_constant<caf::atom("pw_verify")>;
/// (unlock_atom, normalized username) → ok_atom: forgets its failed sign-ins (admin unlock).
using unlock_atom = caf::atom_constant<caf::atom("ac_unlock")>;
/// Periodic removal of expired tokens.
using sweep_atom = caf::atom_constant<caf::atom("ac_sweep")>;

struct registration {
  std::string username;
  std::string password;
  std::string display_name;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, registration& x) {
  return f(caf::meta::type_name("parley.registration"), x.username, x.password, x.display_name);
}

struct login_attempt {
  std::string username;
  std::string password;
  std::string address; // the client's IP, for throttling
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, login_attempt& x) {
  return f(caf::meta::type_name("parley.login_attempt"), x.username, x.password, x.address);
}

struct login_grant {
  std::string token;
  int64_t expires_at = 0;
  accounts::user_profile user;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, login_grant& x) {
  return f(caf::meta::type_name("parley.login_grant"), x.token, x.expires_at, x.user);
}

} // namespace parley::actors
