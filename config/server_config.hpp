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
  bool unencrypted_store = false; // benchmarks only: a fresh data folder without encryption at rest

  // -- accounts --------------------------------------------------------------
  std::string registration = "closed";
  size_t token_ttl = 12 * 3600; // seconds
  size_t password_min_length = 10;
  size_t password_min_classes = 3;
  size_t argon2_ops = 2;
  size_t argon2_mem_kib = 19 * 1024;
  // Defaults of an organisation's sign-in policy (admins change theirs over the admin API).
  size_t password_max_age_days = 0;
  size_t password_history = 5;
  size_t lockout_threshold = 10;
  size_t lockout_seconds = 60;
  // SAML single sign-on (off unless --saml-idp-cert, --saml-idp-sso-url and --saml-idp-entity-id are set).
  std::string saml_idp_entity_id;
  std::string saml_idp_sso_url;
  std::string saml_idp_cert; // PEM file of the IdP's signing certificate
  std::string saml_sp_entity_id = "parley";
  std::string saml_acs_url;  // public URL of /api/v1/auth/saml/acs
  std::string saml_role_attribute = "role";
  std::string saml_admin_roles = "admin"; // comma-separated values of the role attribute that make an admin
  // SMS verification codes.
  std::string sms_provider = "off"; // off | log (development) | http
  std::string sms_gateway_url;
  std::string sms_gateway_template = R"({"to":"{phone}","text":"{text}"})";

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
