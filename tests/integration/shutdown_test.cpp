// Graceful shutdown: SIGTERM closes every open WebSocket with 1001 and parleyd exits 0.
#include <optional>
#include <vector>

#include "tests/integration/harness.hpp"

using namespace parley::test_support;

TEST_CASE("SIGTERM closes open WebSockets with 1001 and parleyd exits 0", "[lifecycle]") {
  parleyd_process server(open_registration());
  const auto nina = sign_up(server, "nina");

  std::vector<ws_client> sessions;
  sessions.push_back(hello_client(server, nina.token));
  sessions.push_back(hello_client(server, nina.token));
  sessions.emplace_back(server.host(), server.port()); // connected, never said hello
  REQUIRE(is_ws_error(sessions.back().call("sys.ping"), "unauthenticated"));

  server.terminate();
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    INFO("connection " << i);
    const auto code = sessions[i].wait_closed(std::chrono::seconds{10});
    INFO("ended without a close frame: " << sessions[i].last_error());
    REQUIRE(code.has_value());
    CHECK(*code == 1001);
  }
  const auto exit_code = server.wait_exit(std::chrono::seconds{15});
  INFO("stdout:\n" << server.output());
  REQUIRE(exit_code.has_value()); // nullopt: still running 15 s after SIGTERM
  CHECK(*exit_code == 0);
}

TEST_CASE("SIGTERM with no clients exits 0 and the data dir starts again", "[lifecycle]") {
  parleyd_process server(open_registration());
  const auto oscar = sign_up(server, "oscar");
  const auto exit_code = server.stop();
  REQUIRE(exit_code.has_value());
  CHECK(*exit_code == 0);

  server.restart();
  auto client = client_for(server);
  CHECK_NOTHROW(login_token(client, oscar.user.username));
}
