// Sign-in and identity events of the accounts actor, appended to the audit log.
#pragma once

#include <cstdint>
#include <string_view>

#include "actors/accounts_state.hpp"

namespace parley::actors {

/// `kind` uses the audit log's names: "auth.login", "auth.login_failed", "user.unlock",
/// "key.create", ... `actor_id` acted (0: nobody signed in); `target_id` is the account concerned
/// (0: none). The entry carries the organisation of the actor (else of the target).
void audit_security_event(accounts_actor* self, std::string_view kind, uint64_t actor_id, uint64_t target_id,
                          std::string_view detail);

} // namespace parley::actors
