// Envelope codec. No exception escapes: malformed input becomes a decode_error.
#include "protocol/envelope.hpp"

namespace parley::protocol {

namespace {

struct sbuffer_sink {
  std::vector<uint8_t>& out;
  void write(const char* data, size_t size) { out.insert(out.end(), data, data + size); }
};

using packer = msgpack::packer<sbuffer_sink>;

void pack_id(packer& pk, std::optional<uint64_t> id) {
  if (id)
    pk.pack_uint64(*id);
  else
    pk.pack_nil();
}

void pack_str(packer& pk, std::string_view s) {
  pk.pack_str(static_cast<uint32_t>(s.size()));
  pk.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
}

} // namespace

const msgpack::object* find_field(const msgpack::object& map, std::string_view key) noexcept {
  if (map.type != msgpack::type::MAP)
    return nullptr;
  for (uint32_t i = 0; i < map.via.map.size; ++i) {
    const auto& kv = map.via.map.ptr[i];
    if (kv.key.type == msgpack::type::STR
        && std::string_view{kv.key.via.str.ptr, kv.key.via.str.size} == key)
      return &kv.val;
  }
  return nullptr;
}

std::optional<std::string_view> string_field(const msgpack::object& map, std::string_view key) noexcept {
  auto* field = find_field(map, key);
  if (!field || field->type != msgpack::type::STR)
    return std::nullopt;
  return std::string_view{field->via.str.ptr, field->via.str.size};
}

std::optional<uint64_t> uint_field(const msgpack::object& map, std::string_view key) noexcept {
  auto* field = find_field(map, key);
  if (!field || field->type != msgpack::type::POSITIVE_INTEGER)
    return std::nullopt;
  return field->via.u64;
}

std::optional<bool> bool_field(const msgpack::object& map, std::string_view key) noexcept {
  auto* field = find_field(map, key);
  if (!field || field->type != msgpack::type::BOOLEAN)
    return std::nullopt;
  return field->via.boolean;
}

decode_result decode_request(std::span<const uint8_t> frame, const decode_limits& limits) {
  decode_result result;
  if (frame.empty()) {
    result.error = decode_error{std::nullopt, "empty frame"};
    return result;
  }
  msgpack::object_handle handle;
  try {
    msgpack::unpack_limit limit(limits.array, limits.map, limits.str, limits.bin, 0, limits.depth);
    size_t offset = 0;
    handle = msgpack::unpack(reinterpret_cast<const char*>(frame.data()), frame.size(), offset,
                             nullptr, nullptr, limit);
    if (offset != frame.size()) {
      result.error = decode_error{std::nullopt, "trailing bytes after the request map"};
      return result;
    }
  } catch (const msgpack::size_overflow&) {
    result.error = decode_error{std::nullopt, "frame exceeds a msgpack size or depth limit"};
    return result;
  } catch (const msgpack::insufficient_bytes&) {
    result.error = decode_error{std::nullopt, "truncated msgpack"};
    return result;
  } catch (const std::exception&) {
    result.error = decode_error{std::nullopt, "malformed msgpack"};
    return result;
  }
  const auto& root = handle.get();
  if (root.type != msgpack::type::MAP) {
    result.error = decode_error{std::nullopt, "a request must be a msgpack map {op, id, args}"};
    return result;
  }
  auto id = uint_field(root, "id");
  if (find_field(root, "id") && !id) {
    result.error = decode_error{std::nullopt, "id must be a non-negative integer"};
    return result;
  }
  auto op = string_field(root, "op");
  if (!op || op->empty() || op->size() > 64) {
    result.error = decode_error{id, "op must be a non-empty string of at most 64 bytes"};
    return result;
  }
  request req;
  req.op.assign(op->data(), op->size());
  req.id = id;
  if (auto* args = find_field(root, "args"); args && args->type != msgpack::type::NIL) {
    if (args->type != msgpack::type::MAP) {
      result.error = decode_error{id, "args must be a map"};
      return result;
    }
    req.args = *args;
  } else {
    req.args.type = msgpack::type::MAP;
    req.args.via.map.size = 0;
    req.args.via.map.ptr = nullptr;
  }
  req.storage = std::move(handle);
  result.value = std::move(req);
  return result;
}

packed empty_map() {
  return packed{0x80};
}

std::vector<uint8_t> encode_ok(std::optional<uint64_t> id, std::span<const uint8_t> packed_result) {
  std::vector<uint8_t> out;
  out.reserve(16 + packed_result.size());
  sbuffer_sink sink{out};
  packer pk(sink);
  pk.pack_map(3);
  pack_str(pk, "re");
  pack_id(pk, id);
  pack_str(pk, "ok");
  pk.pack_true();
  pack_str(pk, "result");
  out.insert(out.end(), packed_result.begin(), packed_result.end());
  return out;
}

std::vector<uint8_t> encode_error(std::optional<uint64_t> id, error_code code, std::string_view message) {
  std::vector<uint8_t> out;
  out.reserve(48 + message.size());
  sbuffer_sink sink{out};
  packer pk(sink);
  pk.pack_map(3);
  pack_str(pk, "re");
  pack_id(pk, id);
  pack_str(pk, "ok");
  pk.pack_false();
  pack_str(pk, "error");
  pk.pack_map(2);
  pack_str(pk, "code");
  pack_str(pk, to_string(code));
  pack_str(pk, "message");
  pack_str(pk, message);
  return out;
}

std::vector<uint8_t> encode_event(std::string_view name, std::span<const uint8_t> packed_data) {
  std::vector<uint8_t> out;
  out.reserve(16 + name.size() + packed_data.size());
  sbuffer_sink sink{out};
  packer pk(sink);
  pk.pack_map(2);
  pack_str(pk, "ev");
  pack_str(pk, name);
  pack_str(pk, "data");
  out.insert(out.end(), packed_data.begin(), packed_data.end());
  return out;
}

} // namespace parley::protocol
