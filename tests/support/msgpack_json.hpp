// Converts between msgpack bytes and nlohmann::json so tests can write and read frames as JSON.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace parley::test_support {

/// Packs a JSON value as msgpack: objects become maps with string keys, binary stays bin.
std::string json_to_msgpack(const nlohmann::json& value);

/// Decodes exactly one msgpack value. Map keys that are not strings are rendered as their JSON
/// text; bin and ext become JSON binary. Throws std::runtime_error on malformed input or
/// trailing bytes.
nlohmann::json msgpack_to_json(std::span<const std::uint8_t> bytes);
nlohmann::json msgpack_to_json(std::string_view bytes);

/// The bytes of a request `{op, id, args}`; `args` is left out when it is null.
std::string encode_request(std::string_view op, std::uint64_t id, const nlohmann::json& args);

} // namespace parley::test_support
