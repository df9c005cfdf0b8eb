// The edge's protective limits: frame size, per-connection op rate, and many connections at once.
#include <sys/resource.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/integration/harness.hpp"
#include "tests/support/ws_swarm.hpp"

using namespace parley::test_support;

namespace {

// The server inherits this limit, so both ends of a thousand connections get the descriptors.
rlim_t raise_open_file_limit() {
  rlimit limit{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
  limit.rlim_cur = limit.rlim_max;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &limit) == 0);
  return limit.rlim_cur;
}

} // namespace

TEST_CASE("a frame above --ws-max-frame closes the connection with 1009", "[ws][limits]") {
  parleyd_process server(open_registration({"--ws-max-frame=4096"}));
  const auto kim = sign_up(server, "kim");
  auto ws = hello_client(server, kim.token);

  // A frame under the limit is an ordinary request.
  const auto padded = ws.call("sys.ping", {{"padding", std::string(3000, 'p')}});
  INFO("3000-byte ping -> " << padded.dump());
  CHECK(padded.contains("re"));
  REQUIRE(ws.is_open());

  ws.send_raw(std::string(8 * 1024, '\x80'));
  const auto code = ws.wait_closed();
  REQUIRE(code.has_value());
  CHECK(*code == 1009);

  // Only that connection is gone.
  auto other = hello_client(server, kim.token);
  CHECK(is_ws_ok(other.call("sys.ping")));
}

TEST_CASE("ops over the per-connection rate are rate_limited and the connection recovers", "[ws][limits]") {
  parleyd_process server(open_registration({"--ws-ops-per-second=10", "--ws-ops-burst=10"}));
  auto ws = hello_client(server, sign_up(server, "liam").token);
  std::this_thread::sleep_for(std::chrono::milliseconds{1200}); // the bucket refills after hello

  constexpr int burst = 50;
  for (int i = 0; i < burst; ++i)
    ws.send_request("sys.ping", static_cast<std::uint64_t>(1000 + i), nlohmann::json::object());
  int answered = 0;
  int limited = 0;
  for (int i = 0; i < burst; ++i) {
    const auto response = ws.read();
    if (response.contains("ev"))
      continue;
    INFO("response " << i << ": " << response.dump());
    REQUIRE((is_ws_ok(response) || is_ws_error(response, "rate_limited")));
    (is_ws_ok(response) ? answered : limited) += 1;
  }
  INFO(answered << " answered, " << limited << " rate_limited");
  CHECK(answered >= 10);
  CHECK(limited >= 1);
  CHECK(answered + limited == burst);
  REQUIRE(ws.is_open());

  std::this_thread::sleep_for(std::chrono::milliseconds{1500});
  const auto after = ws.call("sys.ping");
  INFO("sys.ping after waiting -> " << after.dump());
  CHECK(is_ws_ok(after));
}

TEST_CASE("a thousand concurrent authenticated connections each answer sys.ping", "[ws][limits][load]") {
  constexpr std::size_t connections = 1000;
  const auto fd_limit = raise_open_file_limit();
  INFO("RLIMIT_NOFILE " << fd_limit);
  REQUIRE(fd_limit >= connections + 200);

  parleyd_process server(open_registration({"--max-connections=" + std::to_string(2 * connections)}));
  const auto mia = sign_up(server, "mia");

  ws_swarm swarm(server.host(), server.port());
  const auto authenticated = swarm.connect_and_hello(connections, mia.token, std::chrono::minutes{3});
  std::string connect_errors;
  for (const auto& error : swarm.errors())
    connect_errors += error + "\n";
  INFO("first errors:\n" << connect_errors);
  REQUIRE(authenticated == connections);

  auto client = client_for(server);
  const auto metrics = client.get("/metrics");
  INFO(metrics.describe());
  CHECK(metric_sum(metrics.body, "parley_connections_open").value_or(0) >= static_cast<double>(connections));

  const auto answered = swarm.ping_all(std::chrono::minutes{1});
  std::string errors;
  for (const auto& error : swarm.errors())
    errors += error + "\n";
  INFO("errors:\n" << errors);
  CHECK(answered == connections);
  CHECK(swarm.open_count() == connections);
  swarm.close_all();
}
