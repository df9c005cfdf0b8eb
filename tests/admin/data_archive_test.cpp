// Export from one node and import into another: the user signs in there with the same password
// and finds their meeting and its chat.
#include <filesystem>
#include <fstream>

#include "tests/admin/admin_harness.hpp"

using namespace parley::test_support;
using nlohmann::json;

TEST_CASE("a user's data exported from one node imports into another", "[admin][export]") {
  parleyd_process origin(admin_server_options());
  auto mover = sign_in(origin, "mover");
  auto meeting = create_meeting(mover.ws, json::object(), {{"topic", "Moving house"}});
  join(mover.ws, meeting);
  ok(mover.ws, "chat.send", {{"text", "notes to keep"}});
  ok(mover.ws, "meeting.leave", json::object());
  REQUIRE(origin.stop() == 0);

  const auto archive = (origin.data_dir() / "archive").string();
  auto exported = run_cli("export --user=" + mover.user.username + " --out=" + archive
                          + " --data-dir=" + origin.data_dir().string());
  INFO(exported.output);
  REQUIRE(exported.status == 0);
  CHECK(exported.output.find("exported 1 users, 1 meetings, 1 messages") != std::string::npos);
  std::ifstream manifest_file(archive + "/manifest.json");
  auto manifest = json::parse(manifest_file);
  CHECK(manifest["format"] == "parley-export");
  CHECK(manifest["kind"] == "user");
  CHECK(std::filesystem::is_directory(archive + "/attachments"));

  parleyd_process target(admin_server_options());
  REQUIRE(target.stop() == 0);
  auto imported = run_cli("import --in=" + archive + " --data-dir=" + target.data_dir().string());
  INFO(imported.output);
  REQUIRE(imported.status == 0);
  // Importing twice would duplicate: refused, nothing written.
  auto again = run_cli("import --in=" + archive + " --data-dir=" + target.data_dir().string());
  CHECK(again.status == 1);
  CHECK(again.output.find("already exists") != std::string::npos);
  CHECK(run_cli("audit verify --data-dir=" + target.data_dir().string()).status == 0);

  target.restart();
  https_client client(target.host(), target.port());
  auto token = login_token(client, mover.user.username);
  ws_client ws(target.host(), target.port());
  REQUIRE(is_ws_ok(ws.hello(token)));
  auto view = join(ws, meeting);
  CHECK(view["topic"] == "Moving house");
  auto history = ok(ws, "chat.history", json::object());
  INFO(history.dump());
  REQUIRE(history["messages"].size() == 1);
  CHECK(history["messages"][0]["text"] == "notes to keep");

  auto admin = admin_token(target);
  auto audit = admin_call(target, admin, "GET", "/api/v1/admin/audit?kind=data.import");
  CHECK(audit.json()["entries"].size() == 1);
}
