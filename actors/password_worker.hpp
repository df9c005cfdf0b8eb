// A pool of detached actors that hash and verify passwords off the scheduler threads.
#pragma once

#include <caf/fwd.hpp>

#include "accounts/password_hasher.hpp"

namespace parley::actors {

/// Answers (hash_atom, password) → std::string, (verify_atom, hash, password) → bool and
/// (history_atom, hashes, password) → bool (matches any).
/// Argon2id takes tens of milliseconds by design; it must never stall actors that serve meetings.
caf::actor spawn_password_workers(caf::actor_system& system, accounts::argon2_cost cost, size_t workers);

} // namespace parley::actors
