// Who a sealed record belongs to: the owner whose data key encrypts it, and is destroyed with it.
#pragma once

#include <cstdint>

namespace parley::storage {

/// A user's own data (messages they wrote, files they uploaded, their profile) is sealed under
/// the user's key, so deleting the user shreds it. User ids are random non-zero 64-bit numbers.
constexpr uint64_t user_owner(uint64_t user_id) noexcept {
  return user_id;
}

/// Data that belongs to no user (a guest's meeting chat) is sealed under its organisation's key.
/// The top bit keeps organisation owners apart from user owners.
constexpr uint64_t org_owner(uint64_t org_id) noexcept {
  return (uint64_t{1} << 63) | org_id;
}

} // namespace parley::storage
