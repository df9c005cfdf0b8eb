// Tier names and caps.
#include "accounts/organisation.hpp"

namespace parley::accounts {

std::optional<uint32_t> tier_cap(std::string_view tier) noexcept {
  for (const auto& t : tiers)
    if (t.name == tier)
      return t.max_participants;
  return std::nullopt;
}

} // namespace parley::accounts
