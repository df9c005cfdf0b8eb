// The HTTPS surface of parleyd: health, metrics, and the error shape of refused requests.
#include <string>

#include "tests/integration/harness.hpp"

using namespace parley::test_support;

TEST_CASE("healthz answers ok with a version and a node name", "[http]") {
  parleyd_process server;
  auto client = client_for(server);

  const auto response = client.get("/healthz");
  INFO(response.describe());
  REQUIRE(response.status == 200);
  CHECK(response.header("content-type").find("application/json") != std::string::npos);
  const auto body = response.json();
  REQUIRE(body.is_object());
  CHECK(body["status"] == "ok");
  REQUIRE(body["version"].is_string());
  CHECK_FALSE(body["version"].get<std::string>().empty());
  REQUIRE(body["node"].is_string());
  CHECK_FALSE(body["node"].get<std::string>().empty());
}

TEST_CASE("metrics expose the foundation series and count the traffic", "[http][metrics]") {
  parleyd_process server(open_registration());
  auto client = client_for(server);

  const auto before = client.get("/metrics");
  INFO(before.describe());
  REQUIRE(before.status == 200);
  CHECK(before.header("content-type").find("text/plain") != std::string::npos);
  for (const char* name :
       {"parley_connections_open", "parley_ws_frames_in_total", "parley_ws_frames_out_total",
        "parley_http_request_duration_seconds_bucket", "parley_actors_live", "parley_storage_batches_total",
        "parley_storage_sync_duration_seconds_bucket"}) {
    INFO("metric " << name);
    CHECK(metric_sum(before.body, name).has_value());
  }

  // Traffic a user causes: an account (a durable write), an HTTPS login, a WSS session with pings.
  const auto alice = sign_up(server, "alice");
  auto ws = hello_client(server, alice.token);
  constexpr int pings = 5;
  for (int i = 0; i < pings; ++i)
    REQUIRE(is_ws_ok(ws.call("sys.ping")));

  const auto after = client.get("/metrics");
  REQUIRE(after.status == 200);
  auto delta = [&](std::string_view name, std::string_view labels = {}) {
    return metric_sum(after.body, name, labels).value_or(0) - metric_sum(before.body, name, labels).value_or(0);
  };
  INFO(after.body);
  CHECK(metric_sum(after.body, "parley_connections_open").value_or(0) >= 1);
  CHECK(delta("parley_ws_frames_in_total") >= pings + 1);
  CHECK(delta("parley_ws_frames_out_total") >= pings + 1);
  // Register and login at least were observed since the first scrape.
  CHECK(delta("parley_http_request_duration_seconds_bucket", "le=\"+Inf\"") >= 2);
  CHECK(delta("parley_storage_batches_total") >= 1);
  CHECK(delta("parley_storage_sync_duration_seconds_bucket", "le=\"+Inf\"") >= 1);
  CHECK(metric_sum(after.body, "parley_actors_live").value_or(0) >= 1);
}

TEST_CASE("refused HTTP requests carry a stable error code in a JSON body", "[http]") {
  parleyd_process server(open_registration());
  auto client = client_for(server);

  SECTION("an unknown path is not_found") {
    const auto response = client.get("/api/v1/no-such-thing");
    INFO(response.describe());
    CHECK(response.status == 404);
    CHECK(has_error(response, "not_found"));
  }
  SECTION("a wrong method is method_not_allowed") {
    const auto response = client.get("/api/v1/auth/login");
    INFO(response.describe());
    CHECK(response.status == 405);
    CHECK(has_error(response, "method_not_allowed"));
  }
  SECTION("a body over the limit is payload_too_large") {
    const std::string huge = R"({"username":")" + std::string(8 * 1024 * 1024, 'a') + R"(","password":"x"})";
    const auto response = client.request("POST", "/api/v1/auth/register", huge);
    INFO(response.describe());
    CHECK(response.status == 413);
    CHECK(has_error(response, "payload_too_large"));
    // The server is still there for everyone else.
    CHECK(client.get("/healthz").status == 200);
  }
  SECTION("malformed JSON is bad_request") {
    const auto response = client.request("POST", "/api/v1/auth/login", R"({"username": "alice", "password": )");
    INFO(response.describe());
    CHECK(response.status == 400);
    CHECK(has_error(response, "bad_request"));
  }
  SECTION("a JSON body that is not an object is bad_request") {
    const auto response = client.request("POST", "/api/v1/auth/register", R"(["alice", "Parley-Test-2024!"])");
    INFO(response.describe());
    CHECK(response.status == 400);
    CHECK(has_error(response, "bad_request"));
  }
}
