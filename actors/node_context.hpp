// What every actor of a node shares: the database, metrics and the settings it runs with.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "accounts/org_security_policy.hpp"
#include "accounts/password_hasher.hpp"
#include "accounts/password_policy.hpp"
#include "accounts/saml_sp.hpp"

namespace parley::storage {
class database;
}
namespace parley::media {
class media_plane;
}
namespace parley::telemetry {
struct node_metrics;
}

namespace parley::actors {

class sms_provider;

struct session_settings {
  double ops_per_second = 50;
  double ops_burst = 200;
  size_t max_frame = 1024 * 1024;
};

struct account_settings {
  bool registration_open = false;
  int64_t token_ttl = 12 * 3600;
  accounts::password_policy policy;
  accounts::argon2_cost cost;
  /// An organisation's sign-in policy until an admin stores one (from the --password-*,
  /// --lockout-* flags).
  accounts::org_security_policy org_defaults;
  /// SAML single sign-on (off unless an IdP is configured).
  accounts::saml_settings saml;
};

struct meeting_tuning {
  int64_t reconnect_grace_ms = 30'000; // a dropped participant stays "reconnecting" this long
  size_t roster_batch_from = 50;       // joined participants from which roster events are batched
  int64_t roster_batch_ms = 75;        // how often batched roster changes go out
};

struct messaging_tuning {
  int64_t channel_idle_ms = 300'000; // a conversation's actor retires after this long without an op
};

struct node_context {
  std::string node_id;
  std::shared_ptr<storage::database> db;
  telemetry::node_metrics* metrics = nullptr;
  session_settings sessions;
  account_settings accounts;
  meeting_tuning meetings;
  messaging_tuning messaging;
  std::shared_ptr<media::media_plane> media; // nullptr: media ops answer `unavailable`
  bool debug_hooks = false; // --debug-hooks: admin routes that stop services, for failure tests
  /// Sends SMS verification codes (`--sms-provider`); null: SMS verification is unavailable.
  std::shared_ptr<sms_provider> sms;
};

} // namespace parley::actors
