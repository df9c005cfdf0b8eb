// parleyd: wires the planes together — config, storage, actors, edge — and runs until SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <sys/resource.h>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/saml_sp.hpp"
#include "accounts/user_provisioning.hpp"
#include "actors/organisation_erasure.hpp"
#include "actors/backup_scheduler.hpp"
#include "actors/supervisor.hpp"
#include "actors/type_registry.hpp"
#include "config/server_config.hpp"
#include "media/media_plane.hpp"
#include "actors/sms_provider.hpp"
#include "net/edge_server.hpp"
#include "net/http_sms_provider.hpp"
#include "net/self_signed_certificate.hpp"
#include "storage/database.hpp"
#include "storage/encryption_at_rest.hpp"
#include "telemetry/logger.hpp"
#include "telemetry/node_metrics.hpp"

using namespace parley;

namespace {

constexpr int exit_usage = 2;
constexpr int exit_failure = 1;

void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

/// The node's identity, made once and kept in the database.
std::string node_id(storage::database& db) {
  if (auto id = db.get(storage::column_family::meta, "node_id"))
    return *id;
  auto id = accounts::id_to_hex(accounts::random_id());
  storage::write_set writes;
  writes.put(storage::column_family::meta, "node_id", id);
  db.write_synced(writes);
  return id;
}

bool wait_for_service(caf::actor_system& system, caf::atom_value name) {
  for (int i = 0; i < 500; ++i) {
    if (actors::lookup_service(system, name))
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return false;
}

} // namespace

int main(int argc, char** argv) {
  // Every thread inherits this mask, so only the main thread's sigwait sees the signals.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  config::server_config cfg;
  actors::register_message_types(cfg);
  if (auto error = config::parse_server_config(cfg, argc, argv); !error.empty()) {
    std::cerr << "parleyd: " << error << "\n";
    return exit_usage;
  }
  if (cfg.cli_helptext_printed)
    return 0;
  if (auto problems = config::validate(cfg); !problems.empty()) {
    for (const auto& p : problems)
      std::cerr << "parleyd: " << p << "\n";
    return exit_usage;
  }
  if (!telemetry::configure_logging(cfg.log_level)) {
    std::cerr << "parleyd: unknown --log-level " << cfg.log_level << "\n";
    return exit_usage;
  }
  auto log = telemetry::logger("parleyd");
  raise_file_limit();

  std::string error;
  auto db = storage::database::open(cfg.data_dir, error);
  if (!db) {
    log->critical("{}", error);
    return exit_failure;
  }
  const auto master_key_file = cfg.master_key_file.empty() ? cfg.data_dir + "/master.key" : cfg.master_key_file;
  error = cfg.unencrypted_store ? storage::leave_encryption_off(*db) : storage::enable_encryption_at_rest(*db, master_key_file);
  if (!error.empty()) {
    log->critical("{}", error);
    return exit_failure;
  }
  if (cfg.unencrypted_store)
    log->warn("encryption at rest is OFF (--unencrypted-store): what is written now is stored in plain text");
  // An organisation deletion cut short by a stop is finished before anything can read its data.
  if (error = actors::finish_organisation_deletions(*db); !error.empty()) {
    log->critical("{}", error);
    return exit_failure;
  }

  auto ctx = std::make_shared<actors::node_context>();
  ctx->node_id = node_id(*db);
  ctx->db = db;
  ctx->sessions.ops_per_second = static_cast<double>(cfg.ws_ops_per_second);
  ctx->sessions.ops_burst = static_cast<double>(cfg.ws_ops_burst);
  ctx->sessions.max_frame = cfg.ws_max_frame;
  ctx->meetings.reconnect_grace_ms = static_cast<int64_t>(cfg.meeting_reconnect_grace_ms);
  ctx->meetings.roster_batch_from = cfg.meeting_roster_batch_from;
  ctx->meetings.roster_batch_ms = static_cast<int64_t>(cfg.meeting_roster_batch_ms);
  ctx->accounts.registration_open = cfg.registration == "open";
  ctx->accounts.token_ttl = static_cast<int64_t>(cfg.token_ttl);
  ctx->accounts.policy.min_length = cfg.password_min_length;
  ctx->accounts.policy.min_classes = cfg.password_min_classes;
  ctx->accounts.cost = accounts::argon2_cost{cfg.argon2_ops, cfg.argon2_mem_kib};
  ctx->debug_hooks = cfg.debug_hooks;
  ctx->messaging.channel_idle_ms = static_cast<int64_t>(cfg.im_channel_idle_ms);
  ctx->accounts.org_defaults.password_min_length = static_cast<uint32_t>(cfg.password_min_length);
  ctx->accounts.org_defaults.password_min_classes = static_cast<uint32_t>(cfg.password_min_classes);
  ctx->accounts.org_defaults.password_max_age_days = static_cast<uint32_t>(cfg.password_max_age_days);
  ctx->accounts.org_defaults.password_history = static_cast<uint32_t>(cfg.password_history);
  ctx->accounts.org_defaults.lockout_threshold = static_cast<uint32_t>(cfg.lockout_threshold);
  ctx->accounts.org_defaults.lockout_seconds = static_cast<uint32_t>(cfg.lockout_seconds);
  if (cfg.sms_provider == "log") {
    ctx->sms = actors::make_log_sms_provider();
  } else if (cfg.sms_provider == "http") {
    net::sms_gateway_settings gateway;
    gateway.url = cfg.sms_gateway_url;
    gateway.body_template = cfg.sms_gateway_template;
    ctx->sms = net::make_http_sms_provider(gateway, error);
    if (!ctx->sms) {
      log->critical("{}", error);
      return exit_failure;
    }
  }
  if (!cfg.saml_idp_cert.empty()) {
    std::ifstream file{cfg.saml_idp_cert};
    std::ostringstream pem;
    pem << file.rdbuf();
    auto& saml = ctx->accounts.saml;
    saml.idp_cert_pem = pem.str();
    if (!file || saml.idp_cert_pem.empty()) {
      log->critical("cannot read --saml-idp-cert {}", cfg.saml_idp_cert);
      return exit_failure;
    }
    if (auto problem = accounts::check_idp_certificate(saml.idp_cert_pem); !problem.empty()) {
      log->critical("{}", problem);
      return exit_failure;
    }
    saml.idp_entity_id = cfg.saml_idp_entity_id;
    saml.idp_sso_url = cfg.saml_idp_sso_url;
    saml.sp_entity_id = cfg.saml_sp_entity_id;
    saml.acs_url = cfg.saml_acs_url;
    saml.role_attribute = cfg.saml_role_attribute;
    saml.admin_roles.clear();
    std::stringstream roles{cfg.saml_admin_roles};
    for (std::string role; std::getline(roles, role, ',');)
      if (!role.empty())
        saml.admin_roles.push_back(role);
  }

  {
    accounts::password_hasher hasher{ctx->accounts.cost};
    const char* admin_password = std::getenv("PARLEY_ADMIN_PASSWORD");
    std::string generated;
    error = accounts::bootstrap_admin(*db, hasher, ctx->accounts.policy, admin_password ? admin_password : "",
                                      generated);
    if (!error.empty()) {
      log->critical("{}", error);
      return exit_failure;
    }
    if (!generated.empty()) {
      // Printed once, to the operator's terminal only; it is never logged or stored in clear.
      std::printf("admin password: %s\n", generated.c_str());
      std::fflush(stdout);
    }
  }

  if (cfg.media_workers > 0) {
    media::media_plane_config media_config;
    media_config.address = cfg.media_address;
    media_config.first_port = static_cast<uint16_t>(cfg.media_port);
    media_config.workers = cfg.media_workers;
    ctx->media = media::media_plane::start(media_config, error);
    if (!ctx->media) {
      log->critical("{}", error);
      return exit_failure;
    }
    for (auto port : ctx->media->ports())
      log->info("media worker on udp {}:{}", cfg.media_address, port);
  }

  net::edge_settings edge;
  edge.bind = cfg.bind;
  edge.port = cfg.port;
  edge.tls_cert = cfg.tls_cert;
  edge.tls_key = cfg.tls_key;
  if (edge.tls_cert.empty()) {
    edge.tls_cert = cfg.data_dir + "/tls/cert.pem";
    edge.tls_key = cfg.data_dir + "/tls/key.pem";
    if (error = net::ensure_self_signed_certificate(edge.tls_cert, edge.tls_key); !error.empty()) {
      log->critical("{}", error);
      return exit_failure;
    }
  }
  edge.io_threads = cfg.io_threads ? cfg.io_threads : std::max(1u, std::thread::hardware_concurrency());
  edge.max_connections = cfg.max_connections;
  edge.http_max_body = cfg.http_max_body;
  edge.ws_max_frame = cfg.ws_max_frame;
  edge.ws_outbound_limit = cfg.ws_outbound_limit;
  edge.ws_idle_timeout = std::chrono::seconds{cfg.ws_idle_timeout};
  edge.web_root = cfg.web_root;
  if (std::error_code ec; !std::filesystem::is_regular_file(std::filesystem::path{cfg.web_root} / "index.html", ec))
    log->warn("no web client in {} (run scripts/build-web.sh or pass --web-root); pages answer 404", cfg.web_root);

  telemetry::metrics_registry registry;
  telemetry::node_metrics metrics{registry};
  ctx->metrics = &metrics;

  int exit_code = 0;
  {
    caf::actor_system system{cfg};
    registry.make_callback_gauge("parley_actors_live", "Actors running on this node.",
                                 [&system] { return static_cast<double>(system.registry().running()); });
    auto supervisor = actors::spawn_supervisor(system, ctx);
    caf::actor backups;
    if (cfg.backup_interval > 0)
      backups = actors::spawn_backup_scheduler(
        system, db,
        actors::backup_schedule{cfg.backup_dir.empty() ? cfg.data_dir + "/backups" : cfg.backup_dir,
                                std::chrono::seconds{cfg.backup_interval},
                                static_cast<uint32_t>(std::max<size_t>(cfg.backup_keep, 1))});
    if (!wait_for_service(system, actors::accounts_service_name)) {
      log->critical("the accounts service did not start");
      caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
      if (backups)
        caf::anon_send_exit(backups, caf::exit_reason::user_shutdown);
      return exit_failure;
    }
    net::edge_server server{system, ctx, edge};
    if (error = server.start(); !error.empty()) {
      log->critical("{}", error);
      exit_code = exit_failure;
    } else {
      auto shown_host = cfg.bind == "0.0.0.0" ? std::string{"localhost"} : cfg.bind;
      std::printf("listening on https://%s:%u\n", shown_host.c_str(), static_cast<unsigned>(server.port()));
      std::fflush(stdout);
      log->info("node {} serving on {}:{} with data in {}", ctx->node_id, cfg.bind, server.port(), cfg.data_dir);
      int received = 0;
      sigwait(&signals, &received);
      log->info("signal {}: closing connections", received);
      server.shutdown();
    }
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
    if (backups)
      caf::anon_send_exit(backups, caf::exit_reason::user_shutdown);
  } // the actor system waits here for every actor to finish
  db->flush();
  log->info("stopped");
  return exit_code;
}
