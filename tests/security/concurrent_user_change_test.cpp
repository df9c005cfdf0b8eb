// An administrator's change and the user's own change to the same account, made at the same time,
// through a real parleyd: both must stick (one writer of user records, no lost update).
#include <thread>

#include "tests/security/security_harness.hpp"

using namespace parley::test_support;

TEST_CASE("an admin's role changes and the user's password change at the same moment both stick",
          "[security][accounts]") {
  parleyd_process server(security_server());
  auto admin = admin_token(server);
  auto user = sign_up(server, "racer");
  const auto user_path = "/api/v1/admin/users/" + user.user.id;
  std::string password{strong_password};

  for (int round = 0; round < 3; ++round) {
    const auto next = "Round-" + std::to_string(round) + "-Password-2024!";
    http_response changed;
    std::vector<int> role_statuses;
    bool last_is_admin = false;
    {
      // The admin flips the role back and forth while the user's password change (three Argon2id
      // runs) is in flight, so some flip reads the record before the change is written.
      std::thread admin_side([&] {
        auto client = client_for(server);
        for (int i = 0; i < 20; ++i) {
          last_is_admin = i % 2 == 0;
          role_statuses.push_back(
            client.request("POST", user_path + "/role", nlohmann::json{{"is_admin", last_is_admin}}.dump(),
                           {bearer(admin)})
              .status);
        }
      });
      auto client = client_for(server);
      changed = client.post_json("/api/v1/auth/password",
                                 {{"username", user.user.username}, {"password", password}, {"new_password", next}});
      admin_side.join();
    }
    INFO("round " << round << ": password change -> " << changed.describe());
    REQUIRE(changed.status == 200);
    for (auto status : role_statuses)
      CHECK(status == 200);
    auto client = client_for(server);
    // The password change stuck: the new password signs in, the old one does not.
    CHECK(login_raw(client, user.user.username, next).status == 200);
    CHECK(login_raw(client, user.user.username, password).status == 401);
    // The admin's last change stuck too.
    auto shown = client.get(user_path, {bearer(admin)});
    INFO(shown.describe());
    REQUIRE(shown.status == 200);
    CHECK(shown.json()["user"]["is_admin"] == last_is_admin);
    password = next;
  }
}

TEST_CASE("a user disabled while changing their password stays disabled", "[security][accounts]") {
  parleyd_process server(security_server());
  auto admin = admin_token(server);
  auto user = sign_up(server, "disabled");
  const auto user_path = "/api/v1/admin/users/" + user.user.id;
  const std::string next = "Disabled-Later-2024!";
  http_response disabled;
  {
    std::thread admin_side([&] {
      auto client = client_for(server);
      disabled = client.request("POST", user_path + "/disable", "{}", {bearer(admin)});
    });
    auto client = client_for(server);
    client.post_json("/api/v1/auth/password",
                     {{"username", user.user.username}, {"password", strong_password}, {"new_password", next}});
    admin_side.join();
  }
  INFO(disabled.describe());
  REQUIRE(disabled.status == 200);
  auto client = client_for(server);
  auto shown = client.get(user_path, {bearer(admin)});
  REQUIRE(shown.status == 200);
  CHECK(shown.json()["user"]["disabled"] == true);
  CHECK(login_raw(client, user.user.username, next).status == 401);
  CHECK(login_raw(client, user.user.username, strong_password).status == 401);
}
