// Each worker owns a thread (detached) so a slow hash blocks only itself.
#include "actors/password_worker.hpp"

#include <caf/all.hpp>

#include "actors/accounts_messages.hpp"
#include "actors/service_error.hpp"

namespace parley::actors {

namespace {

caf::behavior password_worker(caf::event_based_actor*, accounts::argon2_cost cost) {
  auto hasher = std::make_shared<accounts::password_hasher>(cost);
  return {
    [hasher](hash_atom, const std::string& password) -> caf::result<std::string> {
      if (auto hash = hasher->hash(password))
        return *hash;
      return make_service_error(protocol::error_code::unavailable, "not enough memory to hash the password");
    },
    [hasher](verify_atom, const std::string& hash, const std::string& password) {
      return hasher->verify(hash, password);
    },
    [hasher](history_atom, const std::vector<std::string>& hashes, const std::string& password) {
      for (const auto& hash : hashes)
        if (hasher->verify(hash, password))
          return true;
      return false;
    },
  };
}

} // namespace

caf::actor spawn_password_workers(caf::actor_system& system, accounts::argon2_cost cost, size_t workers) {
  auto factory = [&system, cost] { return system.spawn<caf::detached>(password_worker, cost); };
  return caf::actor_pool::make(system.dummy_execution_unit(), std::max<size_t>(workers, 1), factory,
                               caf::actor_pool::round_robin());
}

} // namespace parley::actors
