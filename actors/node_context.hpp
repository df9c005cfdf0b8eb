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

struct node_context {
  std::string node_id;
  std::shared_ptr<storage::database> db;
  telemetry::node_metrics* metrics = nullptr;
  session_settings sessions;
  account_settings accounts;
  bool debug_hooks = false; // --debug-hooks: admin routes that stop services, for failure tests
};

} // namespace parley::actors
