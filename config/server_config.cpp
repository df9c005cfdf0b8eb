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
    "backup-dir", "backup-interval", "backup-keep", "master-key-file", "im-channel-idle-ms"};
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
    .add(im_channel_idle_ms, "im-channel-idle-ms",
         "how long an IM conversation's actor stays in memory without an op, in ms");
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
  if (cfg.data_dir.empty())
    problems.emplace_back("--data-dir must not be empty");
  return problems;
}

} // namespace parley::config
