// What every actor of a node shares: the database, metrics and the settings it runs with.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "accounts/password_hasher.hpp"
#include "accounts/password_policy.hpp"

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
};

} // namespace parley::actors
