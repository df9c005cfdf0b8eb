// The WebSocket envelope as a client sees it: hello first, unknown ops, and malformed frames.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/integration/harness.hpp"
#include "tests/support/msgpack_json.hpp"

using namespace parley::test_support;

TEST_CASE("an op before auth.hello is unauthenticated and hello still works afterwards", "[ws]") {
  parleyd_process server(open_registration());
  const auto judy = sign_up(server, "judy");
  ws_client ws(server.host(), server.port());

  for (const char* op : {"sys.ping", "no.such.op"}) {
    const auto response = ws.call(op);
    INFO(op << " -> " << response.dump());
    CHECK(is_ws_error(response, "unauthenticated"));
  }
  REQUIRE(is_ws_ok(ws.hello(judy.token)));
  CHECK(is_ws_ok(ws.call("sys.ping")));
}

TEST_CASE("sys.ping answers an empty result under the id of the request", "[ws]") {
  parleyd_process server(open_registration());
  auto ws = hello_client(server, sign_up(server).token);

  for (const std::uint64_t id : {std::uint64_t{0}, std::uint64_t{1} << 53 | 1, ~std::uint64_t{0}}) {
    ws.send_request("sys.ping", id, nullptr); // args are optional
    const auto response = ws.read();
    INFO("id " << id << " -> " << response.dump());
    CHECK(response["re"] == id);
    CHECK(is_ws_ok(response));
    CHECK(response["result"] == nlohmann::json::object());
  }
}

TEST_CASE("an unknown op is unknown_op", "[ws]") {
  parleyd_process server(open_registration());
  auto ws = hello_client(server, sign_up(server).token);
  const auto response = ws.call("meeting.teleport", {{"to", "mars"}});
  INFO(response.dump());
  CHECK(is_ws_error(response, "unknown_op"));
  CHECK(is_ws_ok(ws.call("sys.ping")));
}

TEST_CASE("malformed frames are bad_request and the connection keeps answering", "[ws]") {
  parleyd_process server(open_registration());
  auto ws = hello_client(server, sign_up(server).token);

  struct malformed {
    const char* what;
    std::string bytes;
    nlohmann::json expected_re; // null: the id could not be read; discarded: either is fine
  };
  std::mt19937 rng(20240229);
  std::string random_bytes(64, '\0');
  for (auto& byte : random_bytes)
    byte = static_cast<char>(rng() & 0xff);
  random_bytes[0] = '\xc1'; // never valid msgpack, so the frame cannot decode by chance
  const auto valid = encode_request("sys.ping", 5, nlohmann::json::object());
  const nlohmann::json either(nlohmann::json::value_t::discarded);

  const std::vector<malformed> cases = {
    {"random bytes", random_bytes, nullptr},
    {"truncated msgpack", valid.substr(0, valid.size() - 3), either},
    {"an empty frame", std::string(), nullptr},
    {"an array instead of a map", json_to_msgpack(nlohmann::json::array({"sys.ping", 9})), nullptr},
    {"a map with op as an integer", json_to_msgpack({{"op", 42}, {"id", 3}}), 3},
    {"a map without op", json_to_msgpack({{"id", 4}, {"args", nlohmann::json::object()}}), 4},
    {"a map with id as a string", json_to_msgpack({{"op", "sys.ping"}, {"id", "six"}}), nullptr},
    {"a map with args as an array", json_to_msgpack({{"op", "sys.ping"}, {"id", 8}, {"args", {1, 2}}}), 8},
    {"an array32 header claiming 2^28 elements", std::string("\xdd\x10\x00\x00\x00", 5), nullptr},
    {"a map32 header claiming 2^28 entries", std::string("\xdf\x10\x00\x00\x00", 5), nullptr},
  };

  std::uint64_t ping_id = 100;
  for (const auto& frame : cases) {
    INFO("frame: " << frame.what);
    ws.send_raw(frame.bytes);
    const auto response = ws.read();
    INFO("response: " << response.dump());
    CHECK(is_ws_error(response, "bad_request"));
    if (!frame.expected_re.is_discarded())
      CHECK(response["re"] == frame.expected_re);

    ++ping_id;
    ws.send_request("sys.ping", ping_id, nlohmann::json::object());
    const auto ping = ws.read_response(ping_id);
    INFO("sys.ping after it: " << ping.dump());
    CHECK(is_ws_ok(ping));
  }

  // The memory bombs did not hurt the server.
  auto client = client_for(server);
  CHECK(client.get("/healthz").status == 200);
}
