// A conversation outside meetings: a 1:1 pair or a named group, with its members.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <msgpack.hpp>

namespace parley::messaging {

enum class conversation_kind : uint8_t { direct = 1, group = 2 };

struct conversation_record {
  uint64_t id = 0;
  uint8_t kind = static_cast<uint8_t>(conversation_kind::direct);
  std::string name;              // groups only
  uint64_t owner = 0;            // groups: the member who manages it; direct: 0
  std::vector<uint64_t> members; // user ids, in the order they joined
  int64_t created_at = 0;        // unix milliseconds
  MSGPACK_DEFINE_MAP(id, kind, name, owner, members, created_at)

  bool is_group() const noexcept { return kind == static_cast<uint8_t>(conversation_kind::group); }
  bool has_member(uint64_t user) const noexcept {
    return std::find(members.begin(), members.end(), user) != members.end();
  }
};

/// Group names: 1-100 bytes of UTF-8.
inline constexpr size_t max_group_name = 100;
/// Members of one group, owner included.
inline constexpr size_t max_group_members = 256;

} // namespace parley::messaging
