// The WebSocket envelope: decoding requests with hard limits, encoding responses and events.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

#include "protocol/error_code.hpp"

namespace parley::protocol {

/// A decoded request `{op, id, args}`. Owns the unpacked msgpack zone that `args` points into.
struct request {
  std::string op;
  std::optional<uint64_t> id;
  msgpack::object args; // always a map (empty if the client sent none)
  msgpack::object_handle storage;
};

/// Why a frame could not be decoded; `id` is set when the request id was still readable.
struct decode_error {
  std::optional<uint64_t> id;
  std::string message;
};

/// Limits applied while unpacking: anything larger is rejected before memory is reserved.
struct decode_limits {
  size_t array = 1024;
  size_t map = 256;
  size_t str = 1024 * 1024;
  size_t bin = 1024 * 1024;
  size_t depth = 16;
};

/// Exactly one of the two members is set.
struct decode_result {
  std::optional<request> value;
  std::optional<decode_error> error;
};

decode_result decode_request(std::span<const uint8_t> frame, const decode_limits& limits = {});

/// A msgpack-encoded value (a result or event payload), ready to be spliced into an envelope.
using packed = std::vector<uint8_t>;

/// The packed empty map `{}`.
packed empty_map();

std::vector<uint8_t> encode_ok(std::optional<uint64_t> id, std::span<const uint8_t> packed_result);
std::vector<uint8_t> encode_error(std::optional<uint64_t> id, error_code code, std::string_view message);
std::vector<uint8_t> encode_event(std::string_view name, std::span<const uint8_t> packed_data);

/// Packs any msgpack-adaptable value into a `packed` buffer.
template <class T>
packed pack(const T& value) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, value);
  return packed(buffer.data(), buffer.data() + buffer.size());
}

/// Reads a field of a msgpack map; nullptr if absent.
const msgpack::object* find_field(const msgpack::object& map, std::string_view key) noexcept;

/// Typed field readers; nullopt if absent or of another type.
std::optional<std::string_view> string_field(const msgpack::object& map, std::string_view key) noexcept;
std::optional<uint64_t> uint_field(const msgpack::object& map, std::string_view key) noexcept;
std::optional<bool> bool_field(const msgpack::object& map, std::string_view key) noexcept;

} // namespace parley::protocol
