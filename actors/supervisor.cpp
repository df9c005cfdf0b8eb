// Supervision: monitor every service; restart non-essential ones, shut down on loss of the store.
#include "actors/supervisor.hpp"

#include <csignal>

#include <caf/all.hpp>

#include "actors/accounts_service.hpp"
#include "actors/directory.hpp"
#include "actors/messaging_directory.hpp"
#include "storage/store.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using restart_atom = caf::atom_constant<caf::atom("sv_restart")>;
using restart_dir_atom = caf::atom_constant<caf::atom("sv_rs_dir")>;
using restart_messaging_atom = caf::atom_constant<caf::atom("sv_rs_im")>;
constexpr auto restart_delay = std::chrono::milliseconds{200};

struct supervisor_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  caf::actor accounts;
  caf::actor directory;
  caf::actor messaging;
  static inline const char* name = "parley.supervisor";
};

using supervisor_actor = caf::stateful_actor<supervisor_state>;

void start_accounts(supervisor_actor* self) {
  auto& st = self->state;
  st.accounts = spawn_accounts_service(self->system(), st.ctx, st.store);
  self->monitor(st.accounts);
  self->system().registry().put(accounts_service_name, st.accounts);
}

void start_directory(supervisor_actor* self) {
  auto& st = self->state;
  st.directory = spawn_directory(self->system(), st.ctx, st.store);
  self->monitor(st.directory);
  self->system().registry().put(directory_service_name, st.directory);
}

void start_messaging(supervisor_actor* self) {
  auto& st = self->state;
  st.messaging = spawn_messaging_directory(self->system(), st.ctx, st.store);
  self->monitor(st.messaging);
  self->system().registry().put(messaging_service_name, st.messaging);
}

caf::behavior supervisor(supervisor_actor* self, std::shared_ptr<const node_context> ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.store = storage::spawn_store(self->system(), st.ctx->db, st.ctx->metrics);
  self->monitor(st.store);
  self->system().registry().put(store_service, st.store);
  start_accounts(self);
  start_directory(self);
  start_messaging(self);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    auto log = telemetry::logger("supervisor");
    if (msg.source == st.store.address()) {
      log->critical("the store stopped ({}); shutting the node down", caf::to_string(msg.reason));
      std::raise(SIGTERM);
    } else if (msg.source == st.accounts.address()) {
      log->error("accounts service stopped ({}); restarting", caf::to_string(msg.reason));
      self->system().registry().erase(accounts_service_name);
      self->delayed_send(self, restart_delay, restart_atom::value);
    } else if (msg.source == st.directory.address()) {
      // Its meetings went with it (linked); their participants were told and may rejoin.
      log->error("meeting directory stopped ({}); restarting", caf::to_string(msg.reason));
      self->system().registry().erase(directory_service_name);
      self->delayed_send(self, restart_delay, restart_dir_atom::value);
    } else if (msg.source == st.messaging.address()) {
      // Its channels and inboxes went with it; connections re-attach when they sign in again.
      log->error("messaging directory stopped ({}); restarting", caf::to_string(msg.reason));
      self->system().registry().erase(messaging_service_name);
      self->delayed_send(self, restart_delay, restart_messaging_atom::value);
    }
  });
  // A shutdown request stops the services first (accounts before the store it writes through).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    self->demonitor(st.accounts);
    self->demonitor(st.directory);
    self->demonitor(st.store);
    self->demonitor(st.messaging);
    self->send_exit(st.messaging, msg.reason);
    self->system().registry().erase(messaging_service_name);
    self->send_exit(st.directory, msg.reason);
    self->send_exit(st.accounts, msg.reason);
    self->send_exit(st.store, msg.reason);
    self->system().registry().erase(accounts_service_name);
    self->system().registry().erase(directory_service_name);
    self->system().registry().erase(store_service);
    self->quit(msg.reason);
  });
  return {
    [self](restart_atom) { start_accounts(self); },
    [self](restart_dir_atom) { start_directory(self); },
    [self](restart_messaging_atom) { start_messaging(self); },
  };
}

} // namespace

caf::actor spawn_supervisor(caf::actor_system& system, std::shared_ptr<const node_context> ctx) {
  return system.spawn(supervisor, std::move(ctx));
}

caf::actor lookup_service(caf::actor_system& system, caf::atom_value name) {
  return system.registry().get<caf::actor>(name);
}

} // namespace parley::actors
