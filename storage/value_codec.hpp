// The one layer every stored value passes through: msgpack now; encryption at rest goes here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <msgpack.hpp>

namespace parley::storage {

template <class T>
std::string encode_value(const T& value) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, value);
  return std::string{buffer.data(), buffer.size()};
}

/// Nullopt for bytes that are not a valid T (a damaged or foreign record is never a crash).
template <class T>
std::optional<T> decode_value(std::string_view bytes) {
  try {
    auto handle = msgpack::unpack(bytes.data(), bytes.size());
    return handle.get().as<T>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

} // namespace parley::storage
