// First start of a node: the admin account and how its password reaches the operator.
#include <chrono>
#include <string>

#include "tests/integration/harness.hpp"

using namespace parley::test_support;
using namespace std::chrono_literals;

TEST_CASE("first start prints the admin password once and admin can log in with it", "[lifecycle][admin]") {
  parleyd_process server;
  const auto password = server.admin_password(5s);
  INFO("stdout:\n" << server.output());
  REQUIRE(password.has_value());
  CHECK_FALSE(password->empty());

  auto client = client_for(server);
  const auto login = client.post_json("/api/v1/auth/login", {{"username", "admin"}, {"password", *password}});
  INFO(login.describe());
  REQUIRE(login.status == 200);
  CHECK(login.json()["user"]["username"] == "admin");
  CHECK(login.json()["user"]["is_admin"] == true); // clients offer the admin pages from this

  const auto stopped = server.stop();
  REQUIRE(stopped.has_value());
  CHECK(*stopped == 0);
  server.restart();
  INFO("stdout after restart:\n" << server.output());
  CHECK_FALSE(server.admin_password(1s).has_value());
  CHECK(server.output().find(*password) == std::string::npos);

  auto again = client_for(server);
  CHECK_NOTHROW(login_token(again, "admin", *password));
}

TEST_CASE("PARLEY_ADMIN_PASSWORD sets the first admin password and is never printed", "[lifecycle][admin]") {
  const std::string chosen = "Operator-Chosen-2024!";
  parleyd_options options;
  options.env = {{"PARLEY_ADMIN_PASSWORD", chosen}};
  parleyd_process server(options);

  auto client = client_for(server);
  const auto login = client.post_json("/api/v1/auth/login", {{"username", "admin"}, {"password", chosen}});
  INFO(login.describe());
  REQUIRE(login.status == 200);
  CHECK(login.json()["user"]["username"] == "admin");

  CHECK_FALSE(server.admin_password(500ms).has_value());
  CHECK(server.output().find(chosen) == std::string::npos);
}
