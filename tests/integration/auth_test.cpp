// Accounts and sessions end to end: register, login, auth.hello over WSS, logout, expiry, throttling.
#include <chrono>
#include <ctime>
#include <string>
#include <thread>

#include "tests/integration/harness.hpp"

using namespace parley::test_support;

namespace {

http_response register_raw(https_client& client, const std::string& username, std::string_view password) {
  return client.post_json("/api/v1/auth/register",
                          {{"username", username}, {"password", password}, {"display_name", "Someone"}});
}

http_response login_raw(https_client& client, const std::string& username, std::string_view password) {
  return client.post_json("/api/v1/auth/login", {{"username", username}, {"password", password}});
}

} // namespace

TEST_CASE("a registered user logs in and says hello over WSS as the same user", "[auth]") {
  parleyd_process server(open_registration());
  auto client = client_for(server);
  const auto username = unique_username("alice");

  const auto registered = client.post_json(
    "/api/v1/auth/register",
    {{"username", username}, {"password", strong_password}, {"display_name", "Alice Liddell"}});
  INFO(registered.describe());
  REQUIRE(registered.status == 201);
  const auto user = registered.json()["user"];
  REQUIRE(user.is_object());
  CHECK(user["username"] == username);
  CHECK(user["display_name"] == "Alice Liddell");
  CHECK(user["is_admin"] == false); // a registered user is a member, not an administrator
  REQUIRE(user.contains("id"));

  const auto login = login_raw(client, username, strong_password);
  INFO(login.describe());
  REQUIRE(login.status == 200);
  const auto session = login.json();
  REQUIRE(session["token"].is_string());
  CHECK_FALSE(session["token"].get<std::string>().empty());
  REQUIRE(session["expires_at"].is_number_integer());
  const auto now = static_cast<long long>(std::time(nullptr));
  // Default --token-ttl is 43200 s.
  CHECK(session["expires_at"].get<long long>() > now + 43200 - 120);
  CHECK(session["expires_at"].get<long long>() < now + 43200 + 120);
  CHECK(session["user"] == user);

  ws_client ws(server.host(), server.port());
  const auto hello = ws.hello(session["token"].get<std::string>());
  INFO("auth.hello -> " << hello.dump());
  REQUIRE(is_ws_ok(hello));
  CHECK(hello["result"]["user"] == user);
  REQUIRE(hello["result"]["session_id"].is_string());
  CHECK_FALSE(hello["result"]["session_id"].get<std::string>().empty());

  const auto ping = ws.call("sys.ping");
  INFO("sys.ping -> " << ping.dump());
  CHECK(is_ws_ok(ping));
  CHECK(ping["result"] == nlohmann::json::object());
}

TEST_CASE("registration is closed by default", "[auth]") {
  parleyd_process server;
  auto client = client_for(server);
  const auto response = register_raw(client, "mallory", strong_password);
  INFO(response.describe());
  CHECK(response.status == 403);
  CHECK(has_error(response, "forbidden"));
  // Nothing was created: the name cannot log in.
  CHECK(login_raw(client, "mallory", strong_password).status == 401);
}

TEST_CASE("a taken username is a conflict", "[auth]") {
  parleyd_process server(open_registration());
  auto client = client_for(server);
  const auto first = register_account(client, "bob");

  const auto again = register_raw(client, "bob", "Another-Password-99");
  INFO(again.describe());
  CHECK(again.status == 409);
  CHECK(has_error(again, "conflict"));
  // The first owner keeps the account.
  CHECK_NOTHROW(login_token(client, "bob", first.password));
  CHECK(login_raw(client, "bob", "Another-Password-99").status == 401);
}

TEST_CASE("a password that fails the policy is weak_password", "[auth]") {
  parleyd_process server(open_registration());
  auto client = client_for(server);
  for (const char* weak : {"Sh0rt!pw", "onlylowercaseletters", "lowercase1234567", "ALLUPPER-------"}) {
    const auto response = register_raw(client, unique_username("carol"), weak);
    INFO("password " << weak << " -> " << response.describe());
    CHECK(response.status == 400);
    CHECK(has_error(response, "weak_password"));
  }
  // Three classes of ten or more characters pass.
  const auto response = register_raw(client, unique_username("carol"), "lowercase1234X");
  INFO(response.describe());
  CHECK(response.status == 201);
}

TEST_CASE("malformed registrations are bad_request", "[auth]") {
  parleyd_process server(open_registration());
  auto client = client_for(server);
  const nlohmann::json cases[] = {
    {{"username", "dave"}, {"display_name", "Dave"}},                                  // no password
    {{"password", strong_password}, {"display_name", "Dave"}},                         // no username
    {{"username", "da"}, {"password", strong_password}, {"display_name", "Dave"}},     // too short
    {{"username", std::string(33, 'd')}, {"password", strong_password}, {"display_name", "Dave"}}, // too long
    {{"username", "dave smith"}, {"password", strong_password}, {"display_name", "Dave"}},         // space
    {{"username", "dave/../x"}, {"password", strong_password}, {"display_name", "Dave"}},          // slash
    {{"username", 42}, {"password", strong_password}, {"display_name", "Dave"}},                   // not a string
  };
  for (const auto& body : cases) {
    const auto response = client.post_json("/api/v1/auth/register", body);
    INFO(body.dump() << " -> " << response.describe());
    CHECK(response.status == 400);
    CHECK(has_error(response, "bad_request"));
  }
}

TEST_CASE("a wrong password or an unknown user is unauthenticated", "[auth]") {
  parleyd_process server(open_registration());
  auto client = client_for(server);
  const auto erin = register_account(client, unique_username("erin"));

  const auto wrong = login_raw(client, erin.username, "Not-The-Password-1");
  INFO(wrong.describe());
  CHECK(wrong.status == 401);
  CHECK(has_error(wrong, "unauthenticated"));

  const auto unknown = login_raw(client, "nobody.here", strong_password);
  INFO(unknown.describe());
  CHECK(unknown.status == 401);
  CHECK(has_error(unknown, "unauthenticated"));
  // The two refusals must not tell an attacker which usernames exist.
  CHECK(wrong.json()["error"]["message"] == unknown.json()["error"]["message"]);
}

TEST_CASE("repeated failed logins are rate_limited with Retry-After", "[auth]") {
  parleyd_process server(open_registration());
  auto client = client_for(server);
  const auto frank = register_account(client, unique_username("frank"));

  int failures_before_limit = 0;
  http_response limited;
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto response = login_raw(client, frank.username, "Wrong-Password-" + std::to_string(attempt));
    if (response.status == 429) {
      limited = std::move(response);
      break;
    }
    INFO(response.describe());
    REQUIRE(response.status == 401);
    ++failures_before_limit;
  }
  INFO("failures before the limit: " << failures_before_limit << "; " << limited.describe());
  REQUIRE(limited.status == 429);
  CHECK(failures_before_limit >= 1);
  CHECK(has_error(limited, "rate_limited"));
  const auto retry_after = limited.header("retry-after");
  REQUIRE_FALSE(retry_after.empty());
  CHECK(std::stol(retry_after) > 0);
}

TEST_CASE("a garbage token is refused by auth.hello and the connection may retry", "[auth][ws]") {
  parleyd_process server(open_registration());
  const auto grace = sign_up(server, "grace");
  ws_client ws(server.host(), server.port());

  // A real token with its last character changed must fail like any other garbage.
  std::string forged = grace.token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  for (const std::string& garbage : {std::string("garbage"), std::string(64, 'x'), forged}) {
    const auto refused = ws.hello(garbage);
    INFO("token '" << garbage << "' -> " << refused.dump());
    CHECK(is_ws_error(refused, "unauthenticated"));
  }
  // Still unauthenticated: other ops are refused.
  const auto ping = ws.call("sys.ping");
  INFO("sys.ping -> " << ping.dump());
  CHECK(is_ws_error(ping, "unauthenticated"));

  const auto accepted = ws.hello(grace.token);
  INFO("auth.hello -> " << accepted.dump());
  REQUIRE(is_ws_ok(accepted));
  CHECK(accepted["result"]["user"]["username"] == grace.user.username);
  CHECK(is_ws_ok(ws.call("sys.ping")));
}

TEST_CASE("an expired token is unauthenticated", "[auth][ws]") {
  parleyd_process server(open_registration({"--token-ttl=1"}));
  auto client = client_for(server);
  const auto heidi = register_account(client, unique_username("heidi"));
  const auto login = login_raw(client, heidi.username, heidi.password);
  INFO(login.describe());
  REQUIRE(login.status == 200);
  const auto token = login.json()["token"].get<std::string>();
  const auto now = static_cast<long long>(std::time(nullptr));
  CHECK(login.json()["expires_at"].get<long long>() <= now + 2);

  std::this_thread::sleep_for(std::chrono::milliseconds{2500});

  ws_client ws(server.host(), server.port());
  const auto hello = ws.hello(token);
  INFO("auth.hello -> " << hello.dump());
  CHECK(is_ws_error(hello, "unauthenticated"));
  const auto logout = client.request("POST", "/api/v1/auth/logout", {}, {bearer(token)});
  INFO(logout.describe());
  CHECK(logout.status == 401);
  // A fresh login still works.
  CHECK(is_ws_ok(ws.hello(login_token(client, heidi.username, heidi.password))));
}

TEST_CASE("logout revokes the token for REST and WSS alike", "[auth][ws]") {
  parleyd_process server(open_registration());
  auto client = client_for(server);
  const auto ivan = sign_up(server, "ivan");

  const auto logout = client.request("POST", "/api/v1/auth/logout", {}, {bearer(ivan.token)});
  INFO(logout.describe());
  REQUIRE(logout.status == 204);

  const auto again = client.request("POST", "/api/v1/auth/logout", {}, {bearer(ivan.token)});
  INFO(again.describe());
  CHECK(again.status == 401);
  CHECK(has_error(again, "unauthenticated"));

  ws_client ws(server.host(), server.port());
  const auto hello = ws.hello(ivan.token);
  INFO("auth.hello -> " << hello.dump());
  CHECK(is_ws_error(hello, "unauthenticated"));

  const auto without = client.request("POST", "/api/v1/auth/logout");
  INFO(without.describe());
  CHECK(without.status == 401);
  CHECK(has_error(without, "unauthenticated"));
}
