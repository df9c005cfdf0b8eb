// Supervision: monitor every service; restart non-essential ones, shut down on loss of the store.
#include "actors/supervisor.hpp"

#include <csignal>

#include <caf/all.hpp>

#include "actors/accounts_service.hpp"
#include "actors/admin_messages.hpp"
#include "actors/admin_service.hpp"
#include "actors/audit_log.hpp"
#include "actors/metering_service.hpp"
#include "actors/directory.hpp"
#include "actors/messaging_directory.hpp"
#include "storage/store.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using restart_atom = caf::atom_constant<caf::atom("sv_restart")>;
using restart_dir_atom = caf::atom_constant<caf::atom("sv_rs_dir")>;
using restart_messaging_atom = caf::atom_constant<caf::atom("sv_rs_im")>;
using restart_audit_atom = caf::atom_constant<caf::atom("sv_rs_aud")>;
using restart_admin_atom = caf::atom_constant<caf::atom("sv_rs_adm")>;
using restart_metering_atom = caf::atom_constant<caf::atom("sv_rs_met")>;
constexpr auto restart_delay = std::chrono::milliseconds{200};

struct supervisor_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  caf::actor accounts;
  caf::actor directory;
  caf::actor messaging;
  caf::actor audit;
  caf::actor admin;
  caf::actor metering;
  bool metering_held = false; // stopped on purpose (debug hook): not restarted until started
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

void start_audit(supervisor_actor* self) {
  auto& st = self->state;
  st.audit = spawn_audit_log(self->system(), st.ctx, st.store);
  self->monitor(st.audit);
  self->system().registry().put(audit_service_name, st.audit);
}

void start_admin(supervisor_actor* self) {
  auto& st = self->state;
  st.admin = spawn_admin_service(self->system(), st.ctx, st.store);
  self->monitor(st.admin);
  self->system().registry().put(admin_service_name, st.admin);
}

void start_metering(supervisor_actor* self) {
  auto& st = self->state;
  if (st.metering_held || st.metering)
    return;
  st.metering = spawn_metering_service(self->system(), st.ctx, st.store);
  self->monitor(st.metering);
  self->system().registry().put(metering_service_name, st.metering);
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
  start_audit(self);
  start_admin(self);
  start_metering(self);
  self->system().registry().put(supervisor_name, caf::actor_cast<caf::actor>(self));
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
    } else if (msg.source == st.audit.address()) {
      log->error("audit log stopped ({}); restarting", caf::to_string(msg.reason));
      self->system().registry().erase(audit_service_name);
      self->delayed_send(self, restart_delay, restart_audit_atom::value);
    } else if (msg.source == st.admin.address()) {
      log->error("admin service stopped ({}); restarting", caf::to_string(msg.reason));
      self->system().registry().erase(admin_service_name);
      self->delayed_send(self, restart_delay, restart_admin_atom::value);
    } else if (msg.source == st.metering.address()) {
      // Meetings do not notice: they journal through the store, and metering catches up later.
      log->error("metering stopped ({}){}", caf::to_string(msg.reason), st.metering_held ? "" : "; restarting");
      self->system().registry().erase(metering_service_name);
      st.metering = caf::actor{};
      self->delayed_send(self, restart_delay, restart_metering_atom::value);
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
    for (auto* service : {&st.metering, &st.admin, &st.audit})
      if (*service) {
        self->demonitor(*service);
        self->send_exit(*service, msg.reason);
      }
    self->system().registry().erase(metering_service_name);
    self->system().registry().erase(admin_service_name);
    self->system().registry().erase(audit_service_name);
    self->system().registry().erase(supervisor_name);
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
    [self](restart_audit_atom) { start_audit(self); },
    [self](restart_admin_atom) { start_admin(self); },
    [self](restart_metering_atom) { start_metering(self); },
    [self](metering_control_atom, const std::string& action) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (action == "start") {
        st.metering_held = false;
        start_metering(self);
      } else if (st.metering) {
        st.metering_held = action == "stop";
        self->send_exit(st.metering, caf::exit_reason::kill);
      }
      return caf::ok_atom::value;
    },
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
