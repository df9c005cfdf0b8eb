// Security events go to the hash-chained audit log, attributed to the actor's organisation.
#include "actors/security_audit.hpp"

#include <caf/event_based_actor.hpp>

#include "accounts/access_token.hpp"
#include "accounts/organisation.hpp"
#include "actors/audit_log.hpp"

namespace parley::actors {

void audit_security_event(accounts_actor* self, std::string_view kind, uint64_t actor_id, uint64_t target_id,
                          std::string_view detail) {
  auto& repository = *self->state.repository;
  auto actor = actor_id ? repository.find_by_id(actor_id) : std::nullopt;
  auto target = !actor && target_id ? repository.find_by_id(target_id) : std::nullopt;
  audit::audit_event event;
  event.kind = std::string{kind};
  event.actor_id = actor_id;
  event.actor_name = actor ? actor->username : std::string{};
  event.org_id = actor ? actor->org_id : target ? target->org_id : accounts::default_org_id;
  event.target = target_id ? accounts::id_to_hex(target_id) : std::string{};
  event.detail = std::string{detail};
  record_audit(self->system(), std::move(event));
}

} // namespace parley::actors
