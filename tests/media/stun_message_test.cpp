// Tests for STUN parsing and writing against the RFC 5769 test vectors.
#include "media/stun_message.hpp"

#include <catch2/catch.hpp>

#include <string_view>

#include "tests/media/test_data.hpp"

using namespace parley::media;
using parley::media::test::read_binary;

namespace {

std::span<const uint8_t> bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

constexpr std::string_view rfc5769_password = "VOkJxbRl1RmTxUk/WvJxBt";
const stun_transaction_id rfc5769_id = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

}  // namespace

TEST_CASE("RFC 5769 sample request parses with integrity and fingerprint", "[stun]") {
  const auto data = read_binary("stun/rfc5769-request.bin");
  REQUIRE(looks_like_stun(data));
  const auto msg = stun_message::parse(data);
  REQUIRE(msg.ok());
  CHECK(msg->method() == stun_method::binding);
  CHECK(msg->message_class() == stun_class::request);
  CHECK(std::equal(msg->transaction_id().begin(), msg->transaction_id().end(), rfc5769_id.begin()));
  CHECK(msg->username() == "evtj:h6vY");
  CHECK(msg->software() == "STUN test client");
  CHECK(msg->priority() == 0x6e0001ffu);
  CHECK(msg->ice_controlled() == 0x932ff9b151263b36ull);
  CHECK_FALSE(msg->ice_controlling());
  CHECK_FALSE(msg->use_candidate());
  CHECK(msg->verify_fingerprint());
  CHECK(msg->verify_message_integrity(bytes_of(rfc5769_password)));
  CHECK_FALSE(msg->verify_message_integrity(bytes_of("VOkJxbRl1RmTxUk/WvJxBr")));
}

TEST_CASE("RFC 5769 sample request is reproduced byte for byte by the writer", "[stun]") {
  const auto expected = read_binary("stun/rfc5769-request.bin");
  std::array<uint8_t, 256> out{};
  stun_message_writer w(out, stun_message_type(stun_method::binding, stun_class::request), rfc5769_id);
  w.set_padding_byte(0x20);
  w.add_software("STUN test client");
  w.add_priority(0x6e0001ff);
  w.add_ice_controlled(0x932ff9b151263b36ull);
  w.add_username("evtj:h6vY");
  w.add_message_integrity(bytes_of(rfc5769_password));
  w.add_fingerprint();
  const auto size = w.finish();
  REQUIRE(size == expected.size());
  CHECK(std::vector<uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*size)) == expected);
}

TEST_CASE("RFC 5769 IPv4 response yields 192.0.2.1:32853", "[stun]") {
  const auto data = read_binary("stun/rfc5769-response-ipv4.bin");
  const auto msg = stun_message::parse(data);
  REQUIRE(msg.ok());
  CHECK(msg->message_class() == stun_class::success_response);
  CHECK(msg->software() == "test vector");
  const auto addr = msg->xor_mapped_address();
  REQUIRE(addr);
  CHECK(addr->fam == stun_address::family::ipv4);
  CHECK(addr->port == 32853);
  CHECK(addr->address[0] == 192);
  CHECK(addr->address[1] == 0);
  CHECK(addr->address[2] == 2);
  CHECK(addr->address[3] == 1);
  CHECK(msg->verify_fingerprint());
  CHECK(msg->verify_message_integrity(bytes_of(rfc5769_password)));

  SECTION("and the writer reproduces it") {
    std::array<uint8_t, 128> out{};
    stun_message_writer w(out, msg->type(), rfc5769_id);
    w.set_padding_byte(0x20);
    w.add_software("test vector");
    w.add_xor_mapped_address(*addr);
    w.add_message_integrity(bytes_of(rfc5769_password));
    w.add_fingerprint();
    const auto size = w.finish();
    REQUIRE(size == data.size());
    CHECK(std::equal(data.begin(), data.end(), out.begin()));
  }
}

TEST_CASE("RFC 5769 IPv6 response yields [2001:db8:1234:5678:11:2233:4455:6677]:32853", "[stun]") {
  const auto data = read_binary("stun/rfc5769-response-ipv6.bin");
  const auto msg = stun_message::parse(data);
  REQUIRE(msg.ok());
  const auto addr = msg->xor_mapped_address();
  REQUIRE(addr);
  CHECK(addr->fam == stun_address::family::ipv6);
  CHECK(addr->port == 32853);
  const std::array<uint8_t, 16> expected = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
                                            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
  CHECK(addr->address == expected);
  CHECK(msg->verify_fingerprint());
  CHECK(msg->verify_message_integrity(bytes_of(rfc5769_password)));

  SECTION("and the writer reproduces it") {
    std::array<uint8_t, 128> out{};
    stun_message_writer w(out, msg->type(), rfc5769_id);
    w.set_padding_byte(0x20);
    w.add_software("test vector");
    w.add_xor_mapped_address(*addr);
    w.add_message_integrity(bytes_of(rfc5769_password));
    w.add_fingerprint();
    const auto size = w.finish();
    REQUIRE(size == data.size());
    CHECK(std::equal(data.begin(), data.end(), out.begin()));
  }
}

TEST_CASE("RFC 5769 long-term credential request verifies and is reproduced", "[stun]") {
  const auto data = read_binary("stun/rfc5769-request-long-term.bin");
  // USERNAME is U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9 in UTF-8; the password
  // "The<U+00AD>M<U+00AA>tr<U+2168>" is "TheMatrIX" after SASLprep.
  const std::string_view username = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
  constexpr std::string_view nonce = "f//499k954d6OL34oL9FSTvy64sA";
  constexpr std::string_view realm = "example.org";
  const auto key = stun_long_term_key(username, realm, "TheMatrIX");
  REQUIRE(key);

  const auto msg = stun_message::parse(data);
  REQUIRE(msg.ok());
  CHECK(msg->username() == username);
  CHECK_FALSE(msg->has_fingerprint());
  const auto realm_value = msg->attribute(stun_attribute::realm);
  REQUIRE(realm_value);
  CHECK(std::string_view(reinterpret_cast<const char*>(realm_value->data()), realm_value->size()) == realm);
  CHECK(msg->verify_message_integrity(*key));
  CHECK_FALSE(msg->verify_message_integrity(bytes_of("TheMatrIX")));

  const stun_transaction_id id = {0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e};
  std::array<uint8_t, 160> out{};
  stun_message_writer w(out, stun_message_type(stun_method::binding, stun_class::request), id);
  w.add_username(username);
  w.add_attribute(stun_attribute::nonce, bytes_of(nonce));
  w.add_attribute(stun_attribute::realm, bytes_of(realm));
  w.add_message_integrity(*key);
  const auto size = w.finish();
  REQUIRE(size == data.size());
  CHECK(std::equal(data.begin(), data.end(), out.begin()));
}

TEST_CASE("a tampered message fails fingerprint and integrity", "[stun]") {
  auto data = read_binary("stun/rfc5769-request.bin");
  data[30] ^= 0x01;  // inside SOFTWARE
  const auto msg = stun_message::parse(data);
  REQUIRE(msg.ok());
  CHECK_FALSE(msg->verify_fingerprint());
  CHECK_FALSE(msg->verify_message_integrity(bytes_of(rfc5769_password)));
}

TEST_CASE("ICE-lite binding success answers a Chromium-style check", "[stun]") {
  // A check as a browser sends it: USERNAME local:remote, PRIORITY, USE-CANDIDATE,
  // ICE-CONTROLLING, integrity under the server's password, fingerprint.
  constexpr std::string_view server_password = "cTsXJJtgy3TGv9S19raUC8Jb";
  const stun_transaction_id id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::array<uint8_t, 256> request{};
  stun_message_writer w(request, stun_message_type(stun_method::binding, stun_class::request), id);
  w.add_username("srv1:6wwo");
  w.add_priority(1853824767);
  w.add_use_candidate();
  w.add_ice_controlling(0x1122334455667788ull);
  w.add_message_integrity(bytes_of(server_password));
  w.add_fingerprint();
  const auto request_size = w.finish();
  REQUIRE(request_size);
  const auto check = stun_message::parse(std::span<const uint8_t>(request).first(*request_size));
  REQUIRE(check.ok());
  CHECK(check->use_candidate());
  CHECK(check->ice_controlling() == 0x1122334455667788ull);
  CHECK(check->username() == "srv1:6wwo");
  CHECK(check->verify_message_integrity(bytes_of(server_password)));

  stun_address from;
  from.fam = stun_address::family::ipv4;
  from.address = {127, 0, 0, 1};
  from.port = 50000;
  std::array<uint8_t, 128> response{};
  const auto size = write_binding_success(response, check->transaction_id(), from, bytes_of(server_password));
  REQUIRE(size == 20 + 12 + 24 + 8);
  const auto reply = stun_message::parse(std::span<const uint8_t>(response).first(*size));
  REQUIRE(reply.ok());
  CHECK(reply->message_class() == stun_class::success_response);
  CHECK(reply->method() == stun_method::binding);
  CHECK(std::equal(id.begin(), id.end(), reply->transaction_id().begin()));
  CHECK(reply->xor_mapped_address() == from);
  CHECK(reply->verify_message_integrity(bytes_of(server_password)));
  CHECK(reply->verify_fingerprint());

  SECTION("a buffer too small is reported, not overrun") {
    std::array<uint8_t, 40> small{};
    CHECK_FALSE(write_binding_success(small, check->transaction_id(), from, bytes_of(server_password)));
  }
}

TEST_CASE("error responses carry ERROR-CODE", "[stun]") {
  const stun_transaction_id id{};
  std::array<uint8_t, 128> out{};
  stun_message_writer w(out, stun_message_type(stun_method::binding, stun_class::error_response), id);
  w.add_error_code(487, "Role Conflict");
  const auto size = w.finish();
  REQUIRE(size);
  const auto msg = stun_message::parse(std::span<const uint8_t>(out).first(*size));
  REQUIRE(msg.ok());
  CHECK(msg->message_class() == stun_class::error_response);
  const auto err = msg->error_code();
  REQUIRE(err);
  CHECK(err->code == 487);
  CHECK(err->reason == "Role Conflict");
}

TEST_CASE("malformed STUN is rejected with a reason", "[stun]") {
  auto data = read_binary("stun/rfc5769-request.bin");
  SECTION("short header") { CHECK(stun_message::parse(std::span<const uint8_t>(data).first(19)).error() == parse_error::truncated); }
  SECTION("length beyond the datagram") {
    CHECK(stun_message::parse(std::span<const uint8_t>(data).first(100)).error() == parse_error::truncated);
  }
  SECTION("bad cookie") {
    data[4] = 0;
    CHECK(stun_message::parse(data).error() == parse_error::bad_magic_cookie);
  }
  SECTION("attribute length running past the end") {
    data[22] = 0x7f;  // SOFTWARE length
    CHECK(stun_message::parse(data).error() == parse_error::truncated);
  }
  SECTION("attribute after FINGERPRINT") {
    std::vector<uint8_t> longer = data;
    longer.insert(longer.end(), {0x00, 0x25, 0x00, 0x00});
    longer[3] = static_cast<uint8_t>(longer.size() - 20);
    CHECK(stun_message::parse(longer).error() == parse_error::bad_attribute);
  }
  SECTION("RTP is not STUN") {
    const std::array<uint8_t, 20> rtp = {0x80, 0x60};
    CHECK_FALSE(looks_like_stun(rtp));
  }
}

TEST_CASE("CRC-32 matches the standard check value", "[stun]") {
  CHECK(crc32(bytes_of("123456789")) == 0xCBF43926u);
}
