// The audit log through the real server: events recorded, queried, exported, and tampering found.
#include <sstream>

#include "audit/audit_repository.hpp"
#include "storage/database.hpp"
#include "storage/value_codec.hpp"
#include "tests/admin/admin_harness.hpp"

using namespace parley;
using namespace parley::test_support;
using nlohmann::json;

namespace {

json audit_entries(const parleyd_process& server, const std::string& token, const std::string& query) {
  auto response = admin_call(server, token, "GET", "/api/v1/admin/audit?" + query);
  INFO(response.describe());
  REQUIRE(response.status == 200);
  return response.json()["entries"];
}

} // namespace

TEST_CASE("sign-ins and admin actions are audited, filtered and exported", "[admin][audit]") {
  parleyd_process server(admin_server_options());
  auto token = admin_token(server);
  https_client client(server.host(), server.port());
  auto user = register_account(client, unique_username("aud"));
  CHECK(client.post_json("/api/v1/auth/login", {{"username", user.username}, {"password", "Wrong-Password-1!"}})
          .status
        == 401);
  auto created = admin_call(server, token, "POST", "/api/v1/admin/users",
                            {{"username", unique_username("made")}, {"password", std::string{strong_password}}});
  INFO(created.describe());
  REQUIRE(created.status == 201);
  auto created_id = created.json()["user"]["id"].get<std::string>();

  // The failed sign-in names the username tried and why, never the password.
  json failed;
  REQUIRE(eventually([&] {
    failed = audit_entries(server, token, "kind=auth.login_failed");
    return !failed.empty();
  }));
  CHECK(failed[0]["actor_name"] == user.username);
  CHECK(failed[0]["detail"] == "wrong password");
  CHECK(failed.dump().find("Wrong-Password") == std::string::npos);

  // The admin's own actions, by actor; kinds by prefix.
  auto admin_login = audit_entries(server, token, "kind=auth.login");
  REQUIRE_FALSE(admin_login.empty());
  auto admin_id = admin_login[0]["actor_id"].get<std::string>();
  auto by_admin = audit_entries(server, token, "actor=" + admin_id + "&kind=user.");
  REQUIRE(by_admin.size() == 1);
  CHECK(by_admin[0]["kind"] == "user.create");
  CHECK(by_admin[0]["target"] == created_id);

  // A time range that ends before everything finds nothing.
  CHECK(audit_entries(server, token, "to=1000").empty());

  auto exported = admin_call(server, token, "GET", "/api/v1/admin/audit/export");
  REQUIRE(exported.status == 200);
  CHECK(exported.header("content-type").find("ndjson") != std::string::npos);
  std::istringstream lines(exported.body);
  std::string line;
  uint64_t previous = 0;
  std::string previous_hash(64, '0');
  size_t count = 0;
  while (std::getline(lines, line)) {
    auto entry = json::parse(line);
    CHECK(entry["seq"].get<uint64_t>() == previous + 1);
    CHECK(entry["prev_hash"] == previous_hash); // each entry links to the one before
    previous = entry["seq"].get<uint64_t>();
    previous_hash = entry["hash"].get<std::string>();
    ++count;
  }
  CHECK(count >= 3); // admin sign-in, the failed sign-in, user.create
  // The export itself is audited.
  CHECK(eventually([&] { return !audit_entries(server, token, "kind=audit.export").empty(); }));

  auto verified = admin_call(server, token, "GET", "/api/v1/admin/audit/verify").json();
  CHECK(verified["intact"] == true);

  // Non-admins are refused where the state lives.
  auto user_token = login_token(client, user.username);
  CHECK(has_error(admin_call(server, user_token, "GET", "/api/v1/admin/audit"), "forbidden"));
  CHECK(has_error(admin_call(server, "not-a-token", "GET", "/api/v1/admin/audit"), "unauthenticated"));
}

TEST_CASE("parley audit verify finds an entry altered in storage and names it", "[admin][audit]") {
  parleyd_process server(admin_server_options());
  auto token = admin_token(server);
  for (int i = 0; i < 3; ++i)
    REQUIRE(admin_call(server, token, "POST", "/api/v1/admin/users",
                       {{"username", unique_username("chain")}, {"password", std::string{strong_password}}})
              .status
            == 201);
  REQUIRE(server.stop() == 0);
  const auto dir = server.data_dir().string();

  auto intact = run_cli("audit verify --data-dir=" + dir);
  INFO(intact.output);
  REQUIRE(intact.status == 0);
  CHECK(intact.output.find("intact") != std::string::npos);

  // Rewrite entry 3 offline through the storage layer, as someone with disk access could.
  {
    std::string error;
    auto db = storage::database::open(dir, error);
    REQUIRE(db);
    auto key = audit::audit_repository::key(3);
    auto bytes = db->get(storage::column_family::audit, key);
    REQUIRE(bytes);
    auto entry = storage::decode_value<audit::audit_event>(*bytes);
    REQUIRE(entry);
    entry->detail = "nobody";
    storage::write_set writes;
    writes.put(storage::column_family::audit, key, storage::encode_value(*entry));
    REQUIRE(db->write_synced(writes).ok());
  }
  auto broken = run_cli("audit verify --data-dir=" + dir);
  INFO(broken.output);
  CHECK(broken.status == 1);
  CHECK(broken.output.find("BROKEN at entry 3") != std::string::npos);
  CHECK(run_cli("verify --data-dir=" + dir).status == 1);

  // The server reports the same through the admin API.
  server.restart();
  auto again = admin_token(server);
  auto verified = admin_call(server, again, "GET", "/api/v1/admin/audit/verify").json();
  CHECK(verified["intact"] == false);
  CHECK(verified["first_broken"] == 3);
}
