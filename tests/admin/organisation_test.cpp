// Organisations through real parleyd processes: server operators create, rename and delete them;
// deleting one destroys its data keys first, then its records, closes its members' connections,
// and leaves other organisations' data readable.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include <rocksdb/db.h>

#include "accounts/account_repository.hpp"
#include "actors/organisation_erasure.hpp"
#include "storage/data_key_ring.hpp"
#include "storage/data_owner.hpp"
#include "storage/database.hpp"
#include "storage/encryption_at_rest.hpp"
#include "storage/write_set.hpp"
#include "tests/admin/admin_harness.hpp"
#include "tests/messaging/messaging_harness.hpp"

using namespace parley::test_support;
namespace fs = std::filesystem;

namespace {

/// Every regular file under `dir` (SST, WAL, MANIFEST, logs, keys) that holds `needle`.
std::vector<std::string> org_files_holding(const fs::path& dir, std::string_view needle) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file())
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (content.find(needle) != std::string::npos)
      found.push_back(entry.path().string());
  }
  return found;
}

// A 1×1 PNG with the marker after its IEND chunk.
std::string org_png_with(std::string_view marker) {
  const unsigned char bytes[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes) + std::string{marker};
}

struct created_org {
  std::string id;
  std::string admin_token;
};

created_org create_org(const parleyd_process& server, const std::string& operator_token, const std::string& name) {
  auto admin_name = unique_username("orgadmin");
  auto created = admin_call(server, operator_token, "POST", "/api/v1/admin/organisations",
                            {{"name", name}, {"tier", "pro"},
                             {"admin", {{"username", admin_name}, {"password", strong_password}}}});
  INFO(created.describe());
  REQUIRE(created.status == 201);
  https_client client(server.host(), server.port());
  return created_org{created.json()["organisation"]["id"], login_token(client, admin_name)};
}

/// A user created by an organisation's admin, signed in, with an open connection.
member org_member(const parleyd_process& server, const std::string& org_admin, const std::string& display_name) {
  member m{account{}, {}, ws_client(server.host(), server.port())};
  m.user.username = unique_username("orguser");
  auto created = admin_call(server, org_admin, "POST", "/api/v1/admin/users",
                            {{"username", m.user.username}, {"password", strong_password},
                             {"display_name", display_name}});
  INFO(created.describe());
  REQUIRE(created.status == 201);
  m.user.id = created.json()["user"]["id"];
  https_client client(server.host(), server.port());
  m.token = login_token(client, m.user.username);
  REQUIRE(is_ws_ok(m.ws.hello(m.token)));
  return m;
}

/// The organisation's data, each piece carrying `marker`: a member's display name, IM messages
/// (inside the organisation and to `outsider`), an uploaded image, the member's meeting chat and a
/// guest's chat in that meeting (sealed under the organisation's key).
struct org_data {
  member ben;
  member cat;
  std::string inside;  // ben ↔ cat
  std::string outside; // ben ↔ outsider
  std::string file_id;
  std::string meeting;
};

org_data write_org_markers(const parleyd_process& server, const created_org& org, member& outsider,
                           const std::string& marker) {
  org_data d{org_member(server, org.admin_token, marker + "-profile"), org_member(server, org.admin_token, "Cat"), {},
             {}, {}, {}};
  d.inside = open_direct(d.ben.ws, d.cat.user);
  send_text(d.ben.ws, d.inside, marker + "-im");
  CHECK(next_message_from(d.cat.ws, d.inside, d.ben.user.id)["text"] == marker + "-im");
  d.outside = open_direct(d.ben.ws, outsider.user);
  send_text(d.ben.ws, d.outside, marker + "-im-out");
  CHECK(next_message_from(outsider.ws, d.outside, d.ben.user.id)["text"] == marker + "-im-out");
  send_text(outsider.ws, d.outside, "outsider-keeps-this");

  https_client uploader(server.host(), server.port(), std::chrono::seconds{60});
  auto uploaded = uploader.request("POST", "/api/v1/conversations/" + d.inside + "/images",
                                   org_png_with(marker + "-image"), {bearer(d.ben.token)}, "image/png");
  INFO(uploaded.describe());
  REQUIRE(uploaded.status == 201);
  d.file_id = uploaded.json()["file_id"];

  d.meeting = create_meeting(d.ben.ws, {{"join_before_host", true}, {"guests_allowed", true}});
  join(d.ben.ws, d.meeting);
  ok(d.ben.ws, "chat.send", {{"text", marker + "-chat"}});
  {
    ws_client guest(server.host(), server.port());
    ok(guest, "auth.guest", {{"meeting_id", d.meeting}, {"display_name", "Visitor"}});
    join(guest, d.meeting);
    ok(guest, "chat.send", {{"text", marker + "-guest-chat"}});
    wait_event_where(d.ben.ws, "chat.message",
                     [&](const nlohmann::json& m) { return m["text"] == marker + "-guest-chat"; });
  }
  ok(d.ben.ws, "meeting.leave");
  return d;
}

std::string all_texts(const std::vector<nlohmann::json>& history) {
  std::string all;
  for (const auto& m : history)
    all += m.value("text", "") + "\n";
  return all;
}

bool org_listed(const parleyd_process& server, const std::string& token, const std::string& id) {
  auto list = admin_call(server, token, "GET", "/api/v1/admin/organisations").json();
  for (const auto& o : list["organisations"])
    if (o["id"] == id)
      return true;
  return false;
}

/// What must hold once an organisation is gone: no member signs in, nothing of it is listed,
/// and after a compaction no file of the data folder (WAL included) holds the marker, while the
/// outsider's own words in the shared conversation are still readable.
void check_org_gone(parleyd_process& server, const std::string& operator_token, const created_org& org,
                    const org_data& d, const member& outsider, const std::string& marker) {
  CHECK_FALSE(org_listed(server, operator_token, org.id));
  CHECK(admin_call(server, operator_token, "GET", "/api/v1/admin/organisations/" + org.id).status == 404);
  CHECK(admin_call(server, org.admin_token, "GET", "/api/v1/admin/organisation").status == 401);
  https_client client(server.host(), server.port());
  CHECK_THROWS(login_token(client, d.ben.user.username));
  ws_client ws(server.host(), server.port());
  CHECK_FALSE(is_ws_ok(ws.hello(d.ben.token)));
  auto image = client.get("/api/v1/conversations/" + d.inside + "/images/" + d.file_id, {bearer(outsider.token)});
  CHECK(image.status != 200);

  auto outsider_ws = reconnect(server, outsider.token);
  auto texts = all_texts(whole_history(outsider_ws, d.outside));
  CHECK(texts.find("outsider-keeps-this") != std::string::npos);
  CHECK(texts.find(marker) == std::string::npos);

  REQUIRE(admin_call(server, operator_token, "POST", "/api/v1/admin/storage/compact").status == 200);
  server.kill();
  CHECK(org_files_holding(server.data_dir(), marker).empty());
  server.restart();
  outsider_ws = reconnect(server, outsider.token);
  CHECK(all_texts(whole_history(outsider_ws, d.outside)).find("outsider-keeps-this") != std::string::npos);
}

} // namespace

TEST_CASE("a server operator creates, lists, renames and deletes organisations, nobody else may",
          "[admin][org]") {
  parleyd_process server(admin_server_options());
  const auto op = admin_token(server);
  auto org = create_org(server, op, "Acme");

  auto listed = admin_call(server, op, "GET", "/api/v1/admin/organisations");
  INFO(listed.describe());
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find("\"Default\"") != std::string::npos);
  auto read = admin_call(server, op, "GET", "/api/v1/admin/organisations/" + org.id);
  CHECK(read.json()["organisation"]["name"] == "Acme");
  CHECK(read.json()["organisation"]["settings"]["tier"] == "pro");
  CHECK(read.json()["organisation"]["max_participants"] == 300);
  CHECK(read.json()["organisation"]["users"] == 1);

  // The new organisation's admin signs in into it and manages only it.
  auto own = admin_call(server, org.admin_token, "GET", "/api/v1/admin/organisation");
  CHECK(own.json()["organisation"]["id"] == org.id);
  CHECK(admin_call(server, org.admin_token, "GET", "/api/v1/admin/organisations").status == 403);
  CHECK(admin_call(server, org.admin_token, "DELETE", "/api/v1/admin/organisations/" + org.id).status == 403);
  auto keys = admin_call(server, org.admin_token, "GET", "/api/v1/admin/keys");
  CHECK(keys.json()["keys"]["organisation"]["org_id"] == org.id);
  CHECK(keys.json()["keys"]["organisation"]["version"] == 1);
  auto dana = org_member(server, org.admin_token, "Dana");
  auto users = admin_call(server, org.admin_token, "GET", "/api/v1/admin/users").json()["users"];
  CHECK(users.size() == 2);
  CHECK(admin_call(server, op, "GET", "/api/v1/admin/users/" + dana.user.id).status == 404);
  // Its own policy: a change there leaves the default organisation's alone.
  CHECK(admin_call(server, org.admin_token, "PUT", "/api/v1/admin/org/security-policy", {{"password_min_length", 20}})
          .status == 200);
  CHECK(admin_call(server, op, "GET", "/api/v1/admin/org/security-policy").json()["password_min_length"] != 20);

  // A plain user is no operator.
  auto ann = sign_in(server, "ann");
  CHECK(admin_call(server, ann.token, "GET", "/api/v1/admin/organisations").status == 403);

  // Bad input gets a clear error; usernames are unique across organisations.
  auto refuse = [&](const nlohmann::json& body, int status) {
    auto r = admin_call(server, op, "POST", "/api/v1/admin/organisations", body);
    INFO(r.describe());
    CHECK(r.status == status);
  };
  refuse({{"name", ""}}, 400);
  refuse({{"name", "X"}, {"tier", "gold"}}, 400);
  refuse({{"name", "X"}, {"admin", {{"username", "admin"}, {"password", strong_password}}}}, 409);
  refuse({{"name", "X"}, {"admin", {{"username", unique_username("w")}, {"password", "short"}}}}, 400);

  auto renamed = admin_call(server, op, "PUT", "/api/v1/admin/organisations/" + org.id, {{"name", "Acme Ltd"}});
  INFO(renamed.describe());
  CHECK(renamed.status == 200);
  CHECK(renamed.json()["organisation"]["name"] == "Acme Ltd");
  CHECK(admin_call(server, op, "PUT", "/api/v1/admin/organisations/" + org.id, {{"colour", "red"}}).status == 400);
  CHECK(admin_call(server, op, "DELETE", "/api/v1/admin/organisations/0000000000000001").status == 403);
  CHECK(admin_call(server, op, "DELETE", "/api/v1/admin/organisations/00000000000000ff").status == 404);

  auto deleted = admin_call(server, op, "DELETE", "/api/v1/admin/organisations/" + org.id);
  INFO(deleted.describe());
  CHECK(deleted.status == 204);
  CHECK_FALSE(org_listed(server, op, org.id));
  for (auto kind : {"org.create", "org.rename", "org.delete"})
    CHECK(admin_call(server, op, "GET", std::string{"/api/v1/admin/audit?kind="} + kind).body.find(org.id) !=
          std::string::npos);
  // Kept across SIGKILL and a restart: the deleted one stays gone, the default one is there.
  server.kill();
  server.restart();
  CHECK_FALSE(org_listed(server, op, org.id));
  CHECK(org_listed(server, op, "0000000000000001"));
}

TEST_CASE("deleting an organisation destroys its keys first, then its records, and closes its members' connections",
          "[admin][org][shredding]") {
  parleyd_process server(admin_server_options());
  const auto op = admin_token(server);
  auto outsider = sign_in(server, "ann");
  auto org = create_org(server, op, "Shredded Inc");
  const std::string marker = "ZQX-org-shred-71c4";
  auto d = write_org_markers(server, org, outsider, marker);
  // Another organisation's data stays.
  auto other = create_org(server, op, "Stays Ltd");
  auto eve = org_member(server, other.admin_token, "Eve-stays");

  auto deleted = admin_call(server, op, "DELETE", "/api/v1/admin/organisations/" + org.id);
  INFO(deleted.describe());
  REQUIRE(deleted.status == 204);
  // Open connections of its members are closed, saying why.
  auto closed = wait_event(d.cat.ws, "session.closed", std::chrono::seconds{60});
  CHECK(closed["code"] == "unauthenticated");
  CHECK(closed["reason"] == "account_deleted");
  CHECK(d.cat.ws.wait_closed(std::chrono::seconds{60}) == 1008);
  CHECK(d.ben.ws.wait_closed(std::chrono::seconds{60}) == 1008);

  CHECK(admin_call(server, other.admin_token, "GET", "/api/v1/admin/users/" + eve.user.id).json()["user"]["display_name"] ==
        "Eve-stays");
  check_org_gone(server, op, org, d, outsider, marker);
  CHECK(admin_call(server, other.admin_token, "GET", "/api/v1/admin/users/" + eve.user.id).json()["user"]["display_name"] ==
        "Eve-stays");
}

TEST_CASE("a disabled or deleted user's open connections are closed with the reason", "[admin][users]") {
  parleyd_process server(admin_server_options());
  const auto admin = admin_token(server);
  auto ann = sign_in(server, "ann");
  ws_client second = reconnect(server, ann.token);

  REQUIRE(admin_call(server, admin, "POST", "/api/v1/admin/users/" + ann.user.id + "/disable").status == 200);
  for (auto* ws : {&ann.ws, &second}) {
    auto closed = wait_event(*ws, "session.closed", std::chrono::seconds{60});
    CHECK(closed["code"] == "forbidden");
    CHECK(closed["reason"] == "account_disabled");
    CHECK(ws->wait_closed(std::chrono::seconds{60}) == 1008);
  }

  REQUIRE(admin_call(server, admin, "POST", "/api/v1/admin/users/" + ann.user.id + "/enable").status == 200);
  https_client client(server.host(), server.port());
  auto token = login_token(client, ann.user.username);
  ws_client again = reconnect(server, token);
  REQUIRE(admin_call(server, admin, "DELETE", "/api/v1/admin/users/" + ann.user.id).status == 204);
  auto closed = wait_event(again, "session.closed", std::chrono::seconds{60});
  CHECK(closed["code"] == "unauthenticated");
  CHECK(closed["reason"] == "account_deleted");
  CHECK(again.wait_closed(std::chrono::seconds{60}) == 1008);
}

TEST_CASE("an organisation deletion cut short by SIGKILL is finished at the next start", "[admin][org][shredding]") {
  parleyd_process server(admin_server_options());
  const auto op = admin_token(server);
  auto outsider = sign_in(server, "ann");
  auto org = create_org(server, op, "Cut Short Inc");
  const std::string marker = "ZQX-org-cut-5e2a";
  auto d = write_org_markers(server, org, outsider, marker);
  server.kill();

  // The node died right after committing the deletion mark, before any key was destroyed.
  {
    std::string error;
    auto db = parley::storage::database::open(server.data_dir().string(), error);
    REQUIRE(db);
    REQUIRE(parley::storage::enable_encryption_at_rest(*db, (server.data_dir() / "master.key").string()).empty());
    parley::storage::write_set mark;
    parley::actors::mark_organisation_deletion(mark, std::stoull(org.id, nullptr, 16),
                                               {std::stoull(d.ben.user.id, nullptr, 16),
                                                std::stoull(d.cat.user.id, nullptr, 16)});
    REQUIRE(db->write_synced(mark).ok());
  }
  server.restart();
  check_org_gone(server, op, org, d, outsider, marker);
}
