// Password policy per organisation through a real parleyd: strength, reuse, expiry, lockout, unlock.
#include <chrono>
#include <string>
#include <thread>

#include "tests/security/security_harness.hpp"

using namespace parley::test_support;

namespace {

http_response change_password(https_client& client, const std::string& username, std::string_view current,
                              std::string_view next) {
  return client.post_json("/api/v1/auth/password",
                          {{"username", username}, {"password", current}, {"new_password", next}});
}

http_response admin_post(https_client& client, const std::string& admin, const std::string& target) {
  return client.request("POST", target, "{}", {bearer(admin)});
}

long long retry_after(const http_response& response) {
  auto value = response.header("retry-after");
  return value.empty() ? -1 : std::stoll(value);
}

} // namespace

TEST_CASE("an organisation's password policy rejects weak passwords and reuse of recent ones", "[security][policy]") {
  parleyd_process server(security_server());
  auto admin = admin_token(server);
  auto client = client_for(server);
  auto policy = set_policy(server, admin, {{"password_min_length", 14}, {"password_min_classes", 4}, {"password_history", 2}});
  CHECK(policy["password_min_length"] == 14);
  CHECK(policy["password_history"] == 2);

  // The org's rules apply to registration: 13 characters or three classes are refused.
  auto short_one = client.post_json("/api/v1/auth/register", {{"username", "weak.one"}, {"password", "Abcdefgh-123"}});
  INFO(short_one.describe());
  CHECK(has_error(short_one, "weak_password"));
  auto three_classes = client.post_json("/api/v1/auth/register",
                                        {{"username", "weak.two"}, {"password", "abcdefgh-12345678"}});
  CHECK(has_error(three_classes, "weak_password"));

  const std::string original = "Original-Pass-001";
  auto user = register_account(client, unique_username("policy"), original);

  // The current password and the last two may not come back.
  auto same = change_password(client, user.username, original, original);
  INFO(same.describe());
  CHECK(same.status == 400);
  CHECK(has_error(same, "password_reused"));
  auto weak = change_password(client, user.username, original, "short-Pass1");
  CHECK(has_error(weak, "weak_password"));

  REQUIRE(change_password(client, user.username, original, "Second-Pass-0002").status == 200);
  REQUIRE(change_password(client, user.username, "Second-Pass-0002", "Third-Pass-00003").status == 200);
  auto back = change_password(client, user.username, "Third-Pass-00003", original);
  INFO(back.describe());
  CHECK(has_error(back, "password_reused"));
  REQUIRE(change_password(client, user.username, "Third-Pass-00003", "Fourth-Pass-0004").status == 200);
  // Now the original is three passwords ago: allowed again.
  auto again = change_password(client, user.username, "Fourth-Pass-0004", original);
  INFO(again.describe());
  CHECK(again.status == 200);

  // Only the newest password signs in.
  CHECK(login_raw(client, user.username, "Fourth-Pass-0004").status == 401);
  CHECK(login_raw(client, user.username, original).status == 200);
  // A wrong current password changes nothing.
  auto wrong = change_password(client, user.username, "Not-The-Password-1", "Fifth-Pass-000005");
  CHECK(has_error(wrong, "unauthenticated"));
  CHECK(login_raw(client, user.username, original).status == 200);
}

TEST_CASE("a user whose password expired must change it before signing in", "[security][policy]") {
  parleyd_process server(security_server());
  auto admin = admin_token(server);
  auto client = client_for(server);
  auto user = register_account(client, unique_username("expiry"));

  auto expire = admin_post(client, admin, "/api/v1/admin/users/" + user.username + "/password/expire");
  INFO(expire.describe());
  REQUIRE(expire.status == 200);

  auto login = login_raw(client, user.username, strong_password);
  INFO(login.describe());
  CHECK(login.status == 403);
  CHECK(has_error(login, "password_expired"));
  CHECK_FALSE(login.json().contains("token"));
  // A wrong password still says only "wrong username or password".
  CHECK(has_error(login_raw(client, user.username, "Wrong-Password-99"), "unauthenticated"));

  auto changed = change_password(client, user.username, strong_password, "Renewed-Pass-2025");
  INFO(changed.describe());
  REQUIRE(changed.status == 200);
  CHECK(login_raw(client, user.username, strong_password).status == 401);
  auto fresh = login_raw(client, user.username, "Renewed-Pass-2025");
  INFO(fresh.describe());
  REQUIRE(fresh.status == 200);
  hello_client(server, fresh.json()["token"].get<std::string>());

  // The expiry survives a restart (it is stored, not remembered).
  REQUIRE(admin_post(client, admin, "/api/v1/admin/users/" + user.username + "/password/expire").status == 200);
  REQUIRE(server.stop() == 0);
  server.restart();
  auto restarted = client_for(server);
  CHECK(has_error(login_raw(restarted, user.username, "Renewed-Pass-2025"), "password_expired"));
}

TEST_CASE("repeated wrong passwords lock the account with growing delays until an admin unlocks it",
          "[security][policy]") {
  parleyd_process server(security_server());
  auto admin = admin_token(server);
  auto client = client_for(server);
  set_policy(server, admin, {{"lockout_threshold", 3}, {"lockout_seconds", 5}});
  auto user = register_account(client, unique_username("lockout"));

  for (int i = 0; i < 3; ++i)
    CHECK(has_error(login_raw(client, user.username, "Wrong-Password-99"), "unauthenticated"));
  // Locked: even the right password is refused, with a Retry-After of at most the first delay.
  auto locked = login_raw(client, user.username, strong_password);
  INFO(locked.describe());
  CHECK(locked.status == 423);
  CHECK(has_error(locked, "account_locked"));
  auto first_delay = retry_after(locked);
  CHECK(first_delay >= 1);
  CHECK(first_delay <= 5);

  // After the lock runs out, one more failure locks it again for twice as long.
  std::this_thread::sleep_for(std::chrono::seconds{6});
  CHECK(has_error(login_raw(client, user.username, "Wrong-Password-99"), "unauthenticated"));
  auto relocked = login_raw(client, user.username, strong_password);
  INFO(relocked.describe());
  CHECK(has_error(relocked, "account_locked"));
  CHECK(retry_after(relocked) > 5);

  // Only an admin may unlock; then the right password works at once.
  auto other = sign_up(server, "bystander");
  auto refused = admin_post(client, other.token, "/api/v1/admin/users/" + user.id + "/unlock");
  CHECK(has_error(refused, "forbidden"));
  auto anonymous = client.request("POST", "/api/v1/admin/users/" + user.id + "/unlock", "{}");
  CHECK(has_error(anonymous, "unauthenticated"));
  auto unlock = admin_post(client, admin, "/api/v1/admin/users/" + user.id + "/unlock");
  INFO(unlock.describe());
  REQUIRE(unlock.status == 200);
  CHECK(unlock.json()["user"]["failed_logins"] == 0);
  auto login = login_raw(client, user.username, strong_password);
  INFO(login.describe());
  CHECK(login.status == 200);
  CHECK(has_error(admin_post(client, admin, "/api/v1/admin/users/nobody.here/unlock"), "not_found"));
}

TEST_CASE("the organisation policy is for admins only and refuses nonsense", "[security][policy]") {
  parleyd_process server(security_server());
  auto admin = admin_token(server);
  auto client = client_for(server);
  auto user = sign_up(server, "plain");
  CHECK(has_error(client.get("/api/v1/admin/org/security-policy", {bearer(user.token)}), "forbidden"));
  auto current = client.get("/api/v1/admin/org/security-policy", {bearer(admin)});
  INFO(current.describe());
  REQUIRE(current.status == 200);
  CHECK(current.json()["password_min_length"] == 10);
  CHECK(current.json()["require_mfa"] == false);
  auto bad = client.request("PUT", "/api/v1/admin/org/security-policy", R"({"password_min_length": 3})",
                            {bearer(admin)});
  CHECK(has_error(bad, "bad_request"));
  auto unknown = client.request("PUT", "/api/v1/admin/org/security-policy", R"({"colour": "red"})", {bearer(admin)});
  CHECK(has_error(unknown, "bad_request"));
  CHECK(client.get("/api/v1/admin/org/security-policy", {bearer(admin)}).json() == current.json());
}
