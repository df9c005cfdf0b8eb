// Option declarations and the environment-variable layer on top of CAF's parser.
#include "config/server_config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <caf/config_option_adder.hpp>

namespace parley::config {

namespace {

// Options that may also be given as PARLEY_<NAME> (dashes become underscores).
const std::vector<std::string>& environment_options() {
  static const std::vector<std::string> names{
    "port", "bind", "tls-cert", "tls-key", "io-threads", "max-connections", "http-max-body",
    "ws-max-frame", "ws-outbound-limit", "ws-idle-timeout", "ws-ops-per-second", "ws-ops-burst",
    "data-dir", "registration", "token-ttl", "password-min-length", "password-min-classes",
    "argon2-ops", "argon2-mem-kib", "log-level", "config-file",
    "meeting-reconnect-grace-ms", "meeting-roster-batch-from", "meeting-roster-batch-ms",
    "media-port", "media-address", "media-workers", "web-root",
    "backup-dir", "backup-interval", "backup-keep", "master-key-file", "im-channel-idle-ms",
    "password-max-age-days", "password-history", "lockout-threshold", "lockout-seconds",
    "saml-idp-entity-id", "saml-idp-sso-url", "saml-idp-cert", "saml-sp-entity-id", "saml-acs-url",
    "saml-role-attribute", "saml-admin-roles", "sms-provider", "sms-gateway-url", "sms-gateway-template"};
  return names;
}

std::string environment_name(const std::string& option) {
  std::string result = "PARLEY_";
  for (char c : option)
    result += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

} // namespace

server_config::server_config() {
  opt_group{custom_options_, "global"}
    .add(port, "port", "TCP port of the HTTPS/WSS listener (0: any free port)")
    .add(bind, "bind", "address to listen on")
    .add(tls_cert, "tls-cert", "PEM certificate chain (default: self-signed, made on first start)")
    .add(tls_key, "tls-key", "PEM private key for --tls-cert")
    .add(io_threads, "io-threads", "threads running the network edge (0: one per core)")
    .add(max_connections, "max-connections", "open connections allowed at once")
    .add(http_max_body, "http-max-body", "largest HTTP request body in bytes")
    .add(ws_max_frame, "ws-max-frame", "largest WebSocket message in bytes (bigger ones close with 1009)")
    .add(ws_outbound_limit, "ws-outbound-limit",
         "bytes queued for one slow client before it is disconnected")
    .add(ws_idle_timeout, "ws-idle-timeout", "seconds without traffic before a WebSocket is pinged and closed")
    .add(ws_ops_per_second, "ws-ops-per-second", "sustained requests per second per connection")
    .add(ws_ops_burst, "ws-ops-burst", "burst of requests allowed per connection")
    .add(data_dir, "data-dir", "folder for the database, certificate and backups")
    .add(backup_dir, "backup-dir", "folder of scheduled backups (default: <data-dir>/backups)")
    .add(backup_interval, "backup-interval", "seconds between scheduled, verified backups (0: none)")
    .add(backup_keep, "backup-keep", "how many scheduled backups to keep")
    .add(master_key_file, "master-key-file",
         "32-byte key (mode 0600) wrapping the data keys of encryption at rest (default: <data-dir>/master.key)")
    .add(registration, "registration", "open or closed: may anyone create an account")
    .add(token_ttl, "token-ttl", "lifetime of a sign-in token in seconds")
    .add(password_min_length, "password-min-length", "minimum password length")
    .add(password_min_classes, "password-min-classes",
         "character classes (lower, upper, digit, symbol) a password needs")
    .add(argon2_ops, "argon2-ops", "Argon2id passes per password hash")
    .add(argon2_mem_kib, "argon2-mem-kib", "Argon2id memory per password hash in KiB")
    .add(log_level, "log-level", "trace, debug, info, warn, error or off")
    .add(meeting_reconnect_grace_ms, "meeting-reconnect-grace-ms",
         "how long a dropped participant stays \"reconnecting\" and may resume, in ms")
    .add(meeting_roster_batch_from, "meeting-roster-batch-from",
         "joined participants from which roster changes are batched into roster.changed events")
    .add(meeting_roster_batch_ms, "meeting-roster-batch-ms", "how often batched roster changes are sent, in ms")
    .add(media_port, "media-port", "UDP port of the first media worker (worker i uses port+i; 0: any free port)")
    .add(media_address, "media-address", "IP address the media workers bind and announce to clients")
    .add(media_workers, "media-workers", "media worker threads (0: no media; ops answer unavailable)")
    .add(debug_hooks, "debug-hooks", "enable admin routes that stop services (failure tests only)")
    .add(unencrypted_store, "unencrypted-store",
         "measure the cost of encryption at rest only: run a data folder that never held a key without it")
    .add(im_channel_idle_ms, "im-channel-idle-ms",
         "how long an IM conversation's actor stays in memory without an op, in ms")
    .add(password_max_age_days, "password-max-age-days", "days before a password must be changed (0: never)")
    .add(password_history, "password-history", "earlier passwords a new one may not repeat")
    .add(lockout_threshold, "lockout-threshold", "consecutive failed sign-ins that lock an account (0: never)")
    .add(lockout_seconds, "lockout-seconds", "first lock duration; doubles with each further failure")
    .add(saml_idp_entity_id, "saml-idp-entity-id", "SAML: the IdP's entity ID (the Issuer accepted)")
    .add(saml_idp_sso_url, "saml-idp-sso-url", "SAML: the IdP's single sign-on URL (HTTP-Redirect binding)")
    .add(saml_idp_cert, "saml-idp-cert", "SAML: PEM file with the IdP's signing certificate")
    .add(saml_sp_entity_id, "saml-sp-entity-id", "SAML: this service's entity ID (the Audience)")
    .add(saml_acs_url, "saml-acs-url", "SAML: public URL of /api/v1/auth/saml/acs (the Recipient)")
    .add(saml_role_attribute, "saml-role-attribute", "SAML: attribute whose values map to roles")
    .add(saml_admin_roles, "saml-admin-roles", "SAML: comma-separated role values that make a user an admin")
    .add(sms_provider, "sms-provider", "log (development: codes go to the server log), http (a gateway) or off")
    .add(sms_gateway_url, "sms-gateway-url", "http provider: URL the message is POSTed to")
    .add(sms_gateway_template, "sms-gateway-template", "http provider: JSON body with {phone} and {text}");
  opt_group{custom_options_, "global"}.add(
    web_root, "web-root", "folder of the built web client served at / (default: this build's web/dist)");
  // Short actor hops matter more than throughput of huge batches for a request/response server.
  set("scheduler.policy", caf::atom("sharing"));
}

std::string parse_server_config(server_config& cfg, int argc, char** argv) {
  caf::actor_system_config::string_list args;
  for (const auto& option : environment_options())
    if (const char* value = std::getenv(environment_name(option).c_str()))
      args.push_back("--" + option + "=" + value);
  for (int i = 1; i < argc; ++i)
    args.emplace_back(argv[i]);
  const bool has_config_file = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a.rfind("--config-file=", 0) == 0;
  });
  // Without --config-file nothing is read: a stray caf-application.ini must not change a server.
  auto err = has_config_file ? cfg.parse(std::move(args)) : cfg.parse(std::move(args), "/dev/null");
  if (err)
    return caf::actor_system_config::render(err);
  return {};
}

std::vector<std::string> validate(const server_config& cfg) {
  std::vector<std::string> problems;
  if (cfg.registration != "open" && cfg.registration != "closed")
    problems.emplace_back("--registration must be open or closed");
  if (cfg.tls_cert.empty() != cfg.tls_key.empty())
    problems.emplace_back("--tls-cert and --tls-key go together");
  if (cfg.ws_max_frame < 1024)
    problems.emplace_back("--ws-max-frame must be at least 1024");
  if (cfg.meeting_roster_batch_ms < 10 || cfg.meeting_roster_batch_ms > 1000)
    problems.emplace_back("--meeting-roster-batch-ms must be from 10 to 1000");
  if (cfg.ws_ops_per_second == 0 || cfg.ws_ops_burst == 0)
    problems.emplace_back("--ws-ops-per-second and --ws-ops-burst must be positive");
  if (cfg.token_ttl < 1)
    problems.emplace_back("--token-ttl must be positive");
  if (cfg.argon2_ops < 1 || cfg.argon2_mem_kib < 8)
    problems.emplace_back("--argon2-ops must be >= 1 and --argon2-mem-kib >= 8");
  if (cfg.media_workers > 64)
    problems.emplace_back("--media-workers must be at most 64");
  if (cfg.media_port != 0 && cfg.media_port + cfg.media_workers > 65536)
    problems.emplace_back("--media-port plus --media-workers runs past port 65535");
  if (cfg.media_address.empty() || cfg.media_address == "0.0.0.0" || cfg.media_address == "::")
    problems.emplace_back("--media-address must be the one address clients reach (not a wildcard)");
  if (cfg.im_channel_idle_ms < 10)
    problems.emplace_back("--im-channel-idle-ms must be at least 10");
  if (cfg.password_max_age_days > 3650 || cfg.password_history > 24 || cfg.lockout_threshold > 100
      || cfg.lockout_seconds < 1 || cfg.lockout_seconds > 86400)
    problems.emplace_back("--password-max-age-days (0-3650), --password-history (0-24), --lockout-threshold "
                          "(0-100) and --lockout-seconds (1-86400) are out of range");
  const bool saml_any = !cfg.saml_idp_cert.empty() || !cfg.saml_idp_sso_url.empty() || !cfg.saml_idp_entity_id.empty();
  if (saml_any && (cfg.saml_idp_cert.empty() || cfg.saml_idp_sso_url.empty() || cfg.saml_idp_entity_id.empty()
                   || cfg.saml_acs_url.empty()))
    problems.emplace_back("SAML needs --saml-idp-cert, --saml-idp-sso-url, --saml-idp-entity-id and --saml-acs-url together");
  if (cfg.sms_provider != "log" && cfg.sms_provider != "http" && cfg.sms_provider != "off")
    problems.emplace_back("--sms-provider must be log, http or off");
  if (cfg.sms_provider == "http" && cfg.sms_gateway_url.empty())
    problems.emplace_back("--sms-provider=http needs --sms-gateway-url");
  if (cfg.data_dir.empty())
    problems.emplace_back("--data-dir must not be empty");
  return problems;
}

} // namespace parley::config
