// Converts between msgpack bytes and nlohmann::json so tests can write and read frames as JSON.
#include "tests/support/msgpack_json.hpp"

#include <stdexcept>

#include <msgpack.hpp>

namespace parley::test_support {

namespace {

using packer = msgpack::packer<msgpack::sbuffer>;

void pack_json(packer& out, const nlohmann::json& value) {
  using value_t = nlohmann::json::value_t;
  switch (value.type()) {
    case value_t::null:
    case value_t::discarded:
      out.pack_nil();
      break;
    case value_t::boolean:
      out.pack(value.get<bool>());
      break;
    case value_t::number_integer:
      out.pack(value.get<std::int64_t>());
      break;
    case value_t::number_unsigned:
      out.pack(value.get<std::uint64_t>());
      break;
    case value_t::number_float:
      out.pack(value.get<double>());
      break;
    case value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      out.pack_str(static_cast<std::uint32_t>(text.size()));
      out.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
      break;
    }
    case value_t::binary: {
      const auto& bytes = value.get_binary();
      out.pack_bin(static_cast<std::uint32_t>(bytes.size()));
      out.pack_bin_body(reinterpret_cast<const char*>(bytes.data()), static_cast<std::uint32_t>(bytes.size()));
      break;
    }
    case value_t::array:
      out.pack_array(static_cast<std::uint32_t>(value.size()));
      for (const auto& element : value)
        pack_json(out, element);
      break;
    case value_t::object:
      out.pack_map(static_cast<std::uint32_t>(value.size()));
      for (const auto& [key, element] : value.items()) {
        out.pack_str(static_cast<std::uint32_t>(key.size()));
        out.pack_str_body(key.data(), static_cast<std::uint32_t>(key.size()));
        pack_json(out, element);
      }
      break;
  }
}

nlohmann::json to_json(const msgpack::object& object) {
  switch (object.type) {
    case msgpack::type::NIL:
      return nullptr;
    case msgpack::type::BOOLEAN:
      return object.via.boolean;
    case msgpack::type::POSITIVE_INTEGER:
      return object.via.u64;
    case msgpack::type::NEGATIVE_INTEGER:
      return object.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return object.via.f64;
    case msgpack::type::STR:
      return std::string(object.via.str.ptr, object.via.str.size);
    case msgpack::type::BIN: {
      const auto* first = reinterpret_cast<const std::uint8_t*>(object.via.bin.ptr);
      return nlohmann::json::binary(std::vector<std::uint8_t>(first, first + object.via.bin.size));
    }
    case msgpack::type::EXT: {
      const auto* first = reinterpret_cast<const std::uint8_t*>(object.via.ext.data());
      return nlohmann::json::binary(std::vector<std::uint8_t>(first, first + object.via.ext.size),
                                    static_cast<std::uint8_t>(object.via.ext.type()));
    }
    case msgpack::type::ARRAY: {
      auto result = nlohmann::json::array();
      for (std::uint32_t i = 0; i < object.via.array.size; ++i)
        result.push_back(to_json(object.via.array.ptr[i]));
      return result;
    }
    case msgpack::type::MAP: {
      auto result = nlohmann::json::object();
      for (std::uint32_t i = 0; i < object.via.map.size; ++i) {
        const auto& entry = object.via.map.ptr[i];
        std::string key = entry.key.type == msgpack::type::STR
                            ? std::string(entry.key.via.str.ptr, entry.key.via.str.size)
                            : to_json(entry.key).dump();
        result[key] = to_json(entry.val);
      }
      return result;
    }
  }
  throw std::runtime_error("msgpack: unknown object type");
}

} // namespace

std::string json_to_msgpack(const nlohmann::json& value) {
  msgpack::sbuffer buffer;
  packer out(buffer);
  pack_json(out, value);
  return std::string(buffer.data(), buffer.size());
}

nlohmann::json msgpack_to_json(std::span<const std::uint8_t> bytes) {
  return msgpack_to_json(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

nlohmann::json msgpack_to_json(std::string_view bytes) {
  // Generous limits: the server is the peer here, but a broken server must not exhaust memory.
  const msgpack::unpack_limit limits(1 << 20, 1 << 16, 64 << 20, 64 << 20, 64 << 20, 64);
  std::size_t offset = 0;
  try {
    auto handle = msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, limits);
    if (offset != bytes.size())
      throw std::runtime_error("msgpack: " + std::to_string(bytes.size() - offset) + " trailing bytes");
    return to_json(handle.get());
  } catch (const msgpack::unpack_error& e) {
    throw std::runtime_error(std::string("msgpack: ") + e.what());
  } catch (const msgpack::type_error&) {
    throw std::runtime_error("msgpack: wrong type");
  } catch (const std::bad_alloc&) {
    throw std::runtime_error("msgpack: allocation failed");
  }
}

std::string encode_request(std::string_view op, std::uint64_t id, const nlohmann::json& args) {
  nlohmann::json request = {{"op", op}, {"id", id}};
  if (!args.is_null())
    request["args"] = args;
  return json_to_msgpack(request);
}

} // namespace parley::test_support
