// Every option of parleyd, read from the command line, a config file and PARLEY_* variables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>

namespace parley::config {

class server_config : public caf::actor_system_config {
public:
  server_config();

  // -- edge ------------------------------------------------------------------
  uint16_t port = 8443;
  std::string bind = "0.0.0.0";
  std::string tls_cert;
  std::string tls_key;
  size_t io_threads = 0; // 0: one per core
  size_t max_connections = 20000;
  size_t http_max_body = 64 * 1024;
  size_t ws_max_frame = 1024 * 1024;
  size_t ws_outbound_limit = 4 * 1024 * 1024;
  size_t ws_idle_timeout = 60; // seconds
  size_t ws_ops_per_second = 50;
  size_t ws_ops_burst = 200;

  // -- storage ---------------------------------------------------------------
  std::string data_dir = "./var";
  std::string backup_dir;     // default: <data-dir>/backups
  size_t backup_interval = 0; // seconds between scheduled backups; 0: none
  size_t backup_keep = 7;     // scheduled backups kept
  std::string master_key_file; // encryption at rest; default: <data-dir>/master.key

  // -- accounts --------------------------------------------------------------
  std::string registration = "closed";
  size_t token_ttl = 12 * 3600; // seconds
  size_t password_min_length = 10;
  size_t password_min_classes = 3;
  size_t argon2_ops = 2;
  size_t argon2_mem_kib = 19 * 1024;

  // -- meetings --------------------------------------------------------------
  size_t meeting_reconnect_grace_ms = 30000;
  size_t meeting_roster_batch_from = 50;
  size_t meeting_roster_batch_ms = 75;
  size_t im_channel_idle_ms = 300000;
  // -- media ------------------------------------------------------------------
  size_t media_port = 0; // first worker's UDP port; 0: ephemeral
  std::string media_address = "127.0.0.1";
  size_t media_workers = 1;

  // -- diagnostics -----------------------------------------------------------
  std::string log_level = "info";

  // -- web client ------------------------------------------------------------
  std::string web_root = PARLEY_DEFAULT_WEB_ROOT;
  bool debug_hooks = false;
};

/// Parses the command line after merging PARLEY_<NAME> environment variables in front of it
/// (so an explicit flag wins over the environment, and both win over the config file).
/// Returns an error text, or an empty string on success.
std::string parse_server_config(server_config& cfg, int argc, char** argv);

/// Checks values that CAF's parser accepts but the server cannot use.
std::vector<std::string> validate(const server_config& cfg);

} // namespace parley::config
