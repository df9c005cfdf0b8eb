// Encryption at rest on top of the value codec: a record's msgpack bytes sealed under an owner's data key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/data_key_ring.hpp"
#include "storage/database.hpp"
#include "storage/value_codec.hpp"

namespace parley::storage {

/// encode_value, then AES-256-GCM under `owner`'s current data key.
template <class T>
std::string encode_sealed_value(data_key_ring& ring, uint64_t owner, const T& value) {
  return ring.seal(owner, encode_value(value));
}

/// Reads sealed and plain (written before encryption was on) values alike. Nullopt if the
/// value is sealed and its key is gone (crypto-shredded), altered, or not a valid T.
template <class T>
std::optional<T> decode_sealed_value(data_key_ring& ring, std::string_view bytes) {
  if (!data_key_ring::is_sealed(bytes))
    return decode_value<T>(bytes);
  auto plain = ring.open(bytes);
  if (!plain)
    return std::nullopt;
  return decode_value<T>(*plain);
}

/// A stored value's bytes as written: opened if sealed (nullopt if its key is gone or the
/// database has no keys loaded), as they are otherwise (records from before encryption at rest).
inline std::optional<std::string> open_stored(const database& db, std::string_view bytes) {
  if (!data_key_ring::is_sealed(bytes))
    return std::string{bytes};
  auto* ring = db.key_ring();
  if (!ring)
    return std::nullopt;
  return ring->open(bytes);
}

/// The read side of write_set::put_sealed: decode_value for sealed and plain values alike.
template <class T>
std::optional<T> decode_stored(const database& db, std::string_view bytes) {
  if (!data_key_ring::is_sealed(bytes))
    return decode_value<T>(bytes);
  auto* ring = db.key_ring();
  if (!ring)
    return std::nullopt;
  return decode_sealed_value<T>(*ring, bytes);
}

} // namespace parley::storage
