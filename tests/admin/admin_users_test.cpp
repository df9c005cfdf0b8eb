// Admin REST: users (create, role, disable, unlock, delete) and organisation settings.
#include "tests/admin/admin_harness.hpp"

using namespace parley::test_support;
using nlohmann::json;

TEST_CASE("only administrators reach the admin API", "[admin][users]") {
  parleyd_process server(admin_server_options());
  https_client client(server.host(), server.port());
  auto user = register_account(client, unique_username("plain"));
  auto user_token = login_token(client, user.username);
  CHECK(has_error(client.get("/api/v1/admin/users"), "unauthenticated"));
  CHECK(has_error(admin_call(server, user_token, "GET", "/api/v1/admin/users"), "forbidden"));
  CHECK(has_error(admin_call(server, user_token, "POST", "/api/v1/admin/users",
                             {{"username", "sneaky"}, {"password", std::string{strong_password}}}),
                  "forbidden"));
  auto token = admin_token(server);
  auto listed = admin_call(server, token, "GET", "/api/v1/admin/users");
  REQUIRE(listed.status == 200);
  // Keep the parsed body alive: a range-for over listed.json()["users"] would read a destroyed temporary.
  const auto listed_body = listed.json();
  bool found = false;
  for (const auto& u : listed_body["users"])
    found = found || u["username"] == user.username;
  CHECK(found);
  CHECK(has_error(admin_call(server, token, "GET", "/api/v1/admin/nothing"), "not_found"));
  CHECK(has_error(admin_call(server, token, "PUT", "/api/v1/admin/users"), "method_not_allowed"));
  CHECK(has_error(admin_call(server, token, "GET", "/api/v1/admin/users/zz"), "not_found"));
}

TEST_CASE("an admin creates, promotes, disables, unlocks and deletes a user", "[admin][users]") {
  parleyd_process server(admin_server_options());
  auto token = admin_token(server);
  https_client client(server.host(), server.port());
  const auto name = unique_username("staff");

  CHECK(has_error(admin_call(server, token, "POST", "/api/v1/admin/users", {{"username", name}, {"password", "short"}}),
                  "weak_password"));
  auto created = admin_call(server, token, "POST", "/api/v1/admin/users",
                            {{"username", name}, {"password", std::string{strong_password}}, {"display_name", "Staff"}});
  INFO(created.describe());
  REQUIRE(created.status == 201);
  const auto id = created.json()["user"]["id"].get<std::string>();
  CHECK(created.json()["user"]["is_admin"] == false);
  CHECK(created.json()["user"]["org_id"] == "0000000000000001");
  CHECK(has_error(admin_call(server, token, "POST", "/api/v1/admin/users",
                             {{"username", name}, {"password", std::string{strong_password}}}),
                  "conflict"));

  // Promoted, the new user can use the admin API.
  auto staff_token = login_token(client, name);
  CHECK(has_error(admin_call(server, staff_token, "GET", "/api/v1/admin/users"), "forbidden"));
  auto promoted = admin_call(server, token, "POST", "/api/v1/admin/users/" + id + "/role", {{"is_admin", true}});
  REQUIRE(promoted.status == 200);
  CHECK(admin_call(server, staff_token, "GET", "/api/v1/admin/users").status == 200);

  // Disabled, they cannot sign in and their tokens stop working.
  REQUIRE(admin_call(server, token, "POST", "/api/v1/admin/users/" + id + "/disable").status == 200);
  CHECK(client.post_json("/api/v1/auth/login", {{"username", name}, {"password", std::string{strong_password}}}).status
        == 401);
  CHECK(has_error(admin_call(server, staff_token, "GET", "/api/v1/admin/users"), "unauthenticated"));
  REQUIRE(admin_call(server, token, "POST", "/api/v1/admin/users/" + id + "/enable").status == 200);
  CHECK_NOTHROW(login_token(client, name));

  // Locked out by failed sign-ins (waiting out the short early delays until a long one, so
  // only the unlock can explain the next success), then unlocked by the admin.
  int failures = 0;
  while (failures < 9) {
    auto attempt = client.post_json("/api/v1/auth/login", {{"username", name}, {"password", "Wrong-Password-1!"}});
    if (attempt.status == 401)
      ++failures;
    else if (has_error(attempt, "rate_limited"))
      std::this_thread::sleep_for(std::chrono::seconds{std::stoi(attempt.header("retry-after"))});
    else
      FAIL("unexpected answer to a wrong password: " << attempt.describe());
  }
  CHECK(has_error(client.post_json("/api/v1/auth/login", {{"username", name}, {"password", std::string{strong_password}}}),
                  "rate_limited"));
  REQUIRE(admin_call(server, token, "POST", "/api/v1/admin/users/" + id + "/unlock").status == 200);
  CHECK_NOTHROW(login_token(client, name));

  // Admins cannot lock themselves out.
  auto users = admin_call(server, token, "GET", "/api/v1/admin/users").json()["users"];
  std::string admin_id;
  for (const auto& u : users)
    if (u["username"] == "admin")
      admin_id = u["id"];
  CHECK(has_error(admin_call(server, token, "DELETE", "/api/v1/admin/users/" + admin_id), "conflict"));

  // Deleted, the user is gone.
  auto deleted = admin_call(server, token, "DELETE", "/api/v1/admin/users/" + id);
  INFO(deleted.describe());
  CHECK(deleted.status == 204);
  CHECK(has_error(admin_call(server, token, "GET", "/api/v1/admin/users/" + id), "not_found"));
  CHECK(client.post_json("/api/v1/auth/login", {{"username", name}, {"password", std::string{strong_password}}}).status
        == 401);
}

TEST_CASE("organisation settings and tier are validated and kept across a restart", "[admin][org]") {
  parleyd_process server(admin_server_options());
  auto token = admin_token(server);
  auto org = admin_call(server, token, "GET", "/api/v1/admin/organisation");
  REQUIRE(org.status == 200);
  CHECK(org.json()["organisation"]["settings"]["tier"] == "basic");
  CHECK(org.json()["organisation"]["max_participants"] == 100);

  CHECK(has_error(admin_call(server, token, "PUT", "/api/v1/admin/organisation", {{"settings", {{"tier", "gold"}}}}),
                  "bad_request"));
  CHECK(has_error(admin_call(server, token, "PUT", "/api/v1/admin/organisation", {{"settings", {{"colour", 1}}}}),
                  "bad_request"));
  CHECK(has_error(admin_call(server, token, "PUT", "/api/v1/admin/organisation", "not json"), "bad_request"));
  auto updated = admin_call(server, token, "PUT", "/api/v1/admin/organisation",
                            {{"name", "Acme"}, {"settings", {{"tier", "business"}, {"require_mfa", true},
                                                              {"password_min_length", 14}}}});
  INFO(updated.describe());
  REQUIRE(updated.status == 200);
  CHECK(updated.json()["organisation"]["max_participants"] == 500);

  REQUIRE(server.stop() == 0);
  server.restart();
  // The token survives the restart; signing in again would now ask the admin for a TOTP code.
  auto after = admin_call(server, token, "GET", "/api/v1/admin/organisation").json()["organisation"];
  CHECK(after["name"] == "Acme");
  CHECK(after["settings"]["tier"] == "business");
  CHECK(after["settings"]["require_mfa"] == true);
  CHECK(after["settings"]["password_min_length"] == 14);
}
