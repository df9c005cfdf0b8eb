// An organisation: the tenant users belong to, with its settings, policies and subscription tier.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <msgpack.hpp>

namespace parley::accounts {

/// Every user belongs to one organisation; users created before organisations existed, and
/// users of a single-tenant server, belong to this one.
inline constexpr uint64_t default_org_id = 1;

/// Subscription tiers and the participants per meeting each allows.
struct tier_info {
  std::string_view name;
  uint32_t max_participants;
};
inline constexpr tier_info tiers[] = {{"basic", 100}, {"pro", 300}, {"business", 500}, {"enterprise", 1000}};

/// The cap of a tier by name; nullopt for an unknown name.
std::optional<uint32_t> tier_cap(std::string_view tier) noexcept;

/// What an organisation's administrators decide. Zero in a numeric policy means "the server's
/// default" (its command-line setting).
struct org_settings {
  std::string tier = "basic";
  bool require_mfa = false;
  uint32_t password_min_length = 0;
  uint32_t password_min_classes = 0;
  uint32_t password_max_age_days = 0;
  uint32_t password_history = 0;
  uint32_t lockout_threshold = 0;
  MSGPACK_DEFINE_MAP(tier, require_mfa, password_min_length, password_min_classes, password_max_age_days,
                     password_history, lockout_threshold)
};

struct org_record {
  uint64_t id = 0;
  std::string name;
  int64_t created_at = 0; // unix seconds
  org_settings settings;
  MSGPACK_DEFINE_MAP(id, name, created_at, settings)
};

} // namespace parley::accounts
