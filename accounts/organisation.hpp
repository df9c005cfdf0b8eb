// An organisation: the tenant users belong to, with its settings, policies and subscription tier.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <msgpack.hpp>

#include "accounts/org_security_policy.hpp"

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

/// What an organisation's administrators decide: the tier, and the sign-in policy. Until an
/// administrator sets the policy (`custom_policy`), the server's flags decide it, so changing a
/// flag changes every organisation that never chose for itself.
struct org_settings {
  std::string tier = "basic";
  bool custom_policy = false;
  org_security_policy policy; // meaningful only with custom_policy
  MSGPACK_DEFINE_MAP(tier, custom_policy, policy)

  /// The sign-in policy in force: the organisation's own, or the server's `defaults`.
  const org_security_policy& effective_policy(const org_security_policy& defaults) const {
    return custom_policy ? policy : defaults;
  }
};

struct org_record {
  uint64_t id = 0;
  std::string name;
  int64_t created_at = 0; // unix seconds
  org_settings settings;
  MSGPACK_DEFINE_MAP(id, name, created_at, settings)
};

} // namespace parley::accounts
