// The kinds of record the node stores, one RocksDB column family each.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace parley::storage {

enum class column_family : uint8_t {
  meta,     // schema version, node identity
  accounts, // users and the username index
  tokens,   // hashed sign-in tokens
  meetings,
  messages,
  files,
  audit,
  keys,
  metering, // meter event journal and per-organisation daily usage
};

inline constexpr std::array<std::string_view, 9> column_family_names{
  "meta", "accounts", "tokens", "meetings", "messages", "files", "audit", "keys", "metering"};

constexpr std::string_view name_of(column_family cf) noexcept {
  return column_family_names[static_cast<size_t>(cf)];
}

} // namespace parley::storage
