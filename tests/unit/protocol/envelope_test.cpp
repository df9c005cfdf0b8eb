// The envelope codec: valid requests decode, hostile msgpack is refused without allocating, replies encode.
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>
#include <msgpack.hpp>

#include "protocol/envelope.hpp"

using namespace parley::protocol;

namespace {

std::vector<uint8_t> pack_request(const std::string& op, uint64_t id) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(3);
  pk.pack("op");
  pk.pack(op);
  pk.pack("id");
  pk.pack(id);
  pk.pack("args");
  pk.pack_map(1);
  pk.pack("token");
  pk.pack("abc");
  return {buffer.data(), buffer.data() + buffer.size()};
}

msgpack::object_handle unpack(const std::vector<uint8_t>& bytes) {
  return msgpack::unpack(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

} // namespace

TEST_CASE("a well-formed request decodes with its op, id and args", "[protocol][envelope]") {
  auto result = decode_request(pack_request("auth.hello", 7));
  REQUIRE(result.value);
  CHECK(result.value->op == "auth.hello");
  CHECK(result.value->id == 7u);
  CHECK(string_field(result.value->args, "token") == "abc");
}

TEST_CASE("a request without args gets an empty map", "[protocol][envelope]") {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(2);
  pk.pack("op");
  pk.pack("sys.ping");
  pk.pack("id");
  pk.pack(1);
  auto result = decode_request({reinterpret_cast<const uint8_t*>(buffer.data()), buffer.size()});
  REQUIRE(result.value);
  CHECK(result.value->args.type == msgpack::type::MAP);
  CHECK(result.value->args.via.map.size == 0);
}

TEST_CASE("malformed frames are errors, never exceptions", "[protocol][envelope]") {
  SECTION("empty") { CHECK(decode_request({}).error); }
  SECTION("reserved byte 0xc1") {
    std::vector<uint8_t> bytes{0xc1};
    CHECK(decode_request(bytes).error);
  }
  SECTION("truncated") {
    auto bytes = pack_request("sys.ping", 3);
    bytes.resize(bytes.size() - 2);
    CHECK(decode_request(bytes).error);
  }
  SECTION("an array instead of a map") {
    std::vector<uint8_t> bytes{0x92, 0x01, 0x02};
    CHECK(decode_request(bytes).error);
  }
  SECTION("op is an integer; the id is still reported") {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_map(2);
    pk.pack("op");
    pk.pack(5);
    pk.pack("id");
    pk.pack(9);
    auto result = decode_request({reinterpret_cast<const uint8_t*>(buffer.data()), buffer.size()});
    REQUIRE(result.error);
    CHECK(result.error->id == 9u);
  }
  SECTION("trailing bytes after the map") {
    auto bytes = pack_request("sys.ping", 3);
    bytes.push_back(0x01);
    CHECK(decode_request(bytes).error);
  }
}

TEST_CASE("array and map bombs are refused at the header", "[protocol][envelope][hostile]") {
  // A 5-byte array32 header claiming 2^28 elements would make an unlimited unpacker reserve
  // 2^28 x 24 bytes (6 GiB) before reading one element.
  SECTION("array32 of 2^28") {
    std::vector<uint8_t> bytes{0xdd, 0x10, 0x00, 0x00, 0x00};
    auto result = decode_request(bytes);
    REQUIRE(result.error);
    CHECK(result.error->message.find("limit") != std::string::npos);
  }
  SECTION("map32 of 2^28") {
    std::vector<uint8_t> bytes{0xdf, 0x10, 0x00, 0x00, 0x00};
    CHECK(decode_request(bytes).error);
  }
  SECTION("array bomb nested inside args") {
    std::vector<uint8_t> bytes{0x82, 0xa2, 'o', 'p', 0xa8, 's', 'y', 's', '.', 'p', 'i', 'n', 'g',
                               0xa4, 'a', 'r', 'g', 's', 0xdd, 0x7f, 0xff, 0xff, 0xff};
    CHECK(decode_request(bytes).error);
  }
  SECTION("nesting deeper than the limit") {
    std::vector<uint8_t> bytes(100, 0x91);
    bytes.push_back(0x00);
    CHECK(decode_request(bytes).error);
  }
}

TEST_CASE("responses and events encode to the documented envelope", "[protocol][envelope]") {
  SECTION("ok") {
    auto handle = unpack(encode_ok(7, empty_map()));
    const auto& root = handle.get();
    CHECK(uint_field(root, "re") == 7u);
    CHECK(bool_field(root, "ok") == true);
    REQUIRE(find_field(root, "result"));
    CHECK(find_field(root, "result")->type == msgpack::type::MAP);
  }
  SECTION("error with an unknown id") {
    auto handle = unpack(encode_error(std::nullopt, error_code::bad_request, "nope"));
    const auto& root = handle.get();
    REQUIRE(find_field(root, "re"));
    CHECK(find_field(root, "re")->type == msgpack::type::NIL);
    CHECK(bool_field(root, "ok") == false);
    const auto* error = find_field(root, "error");
    REQUIRE(error);
    CHECK(string_field(*error, "code") == "bad_request");
    CHECK(string_field(*error, "message") == "nope");
  }
  SECTION("event") {
    auto handle = unpack(encode_event("participant.joined", pack(std::map<std::string, int>{{"n", 1}})));
    CHECK(string_field(handle.get(), "ev") == "participant.joined");
    CHECK(find_field(handle.get(), "data")->type == msgpack::type::MAP);
  }
}

TEST_CASE("every error code has a stable name and HTTP status", "[protocol][error_code]") {
  CHECK(to_string(error_code::rate_limited) == "rate_limited");
  CHECK(http_status(error_code::rate_limited) == 429);
  CHECK(error_code_from_string("unknown_op") == error_code::unknown_op);
  CHECK_FALSE(error_code_from_string("nonsense"));
}
