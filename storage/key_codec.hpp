// Big-endian key building and reading, so related records sort together in RocksDB.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::storage {

/// Builds a key from fixed-width big-endian integers and byte strings, e.g.
/// `key_builder{}.u64(channel).u64(seq).str()`: numeric order equals byte order.
class key_builder {
public:
  key_builder& u8(uint8_t v) {
    key_.push_back(static_cast<char>(v));
    return *this;
  }
  key_builder& u32(uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
      key_.push_back(static_cast<char>((v >> shift) & 0xff));
    return *this;
  }
  key_builder& u64(uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8)
      key_.push_back(static_cast<char>((v >> shift) & 0xff));
    return *this;
  }
  /// Appends raw bytes; only safe as the last component or with fixed length.
  key_builder& bytes(std::string_view v) {
    key_.append(v);
    return *this;
  }
  const std::string& str() const& { return key_; }
  std::string str() && { return std::move(key_); }

private:
  std::string key_;
};

/// Reads a big-endian u64 at `offset`; nullopt if the key is too short.
inline std::optional<uint64_t> read_u64(std::string_view key, size_t offset = 0) {
  if (key.size() < offset + 8)
    return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<uint8_t>(key[offset + i]);
  return v;
}

inline std::optional<uint32_t> read_u32(std::string_view key, size_t offset = 0) {
  if (key.size() < offset + 4)
    return std::nullopt;
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<uint8_t>(key[offset + i]);
  return v;
}

} // namespace parley::storage
