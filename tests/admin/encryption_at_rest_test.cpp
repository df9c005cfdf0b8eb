// Encryption at rest through real parleyd processes: what users write is sealed on disk yet
// readable through the API, key rotation keeps old data readable, deleting a user shreds their
// data (no file of the data folder holds it, WAL included), and a bad master key stops the node.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include <sys/stat.h>

#include <rocksdb/db.h>

#include "storage/data_key_ring.hpp"
#include "storage/data_owner.hpp"
#include "storage/database.hpp"
#include "storage/encryption_at_rest.hpp"
#include "tests/admin/admin_harness.hpp"
#include "tests/messaging/messaging_harness.hpp"

using namespace parley::test_support;
namespace fs = std::filesystem;

namespace {

// A 1×1 PNG; the marker rides in the bytes after its IEND chunk, which image checks ignore.
std::string png_with(std::string_view marker) {
  const unsigned char bytes[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes) + std::string{marker};
}

/// Every regular file under `dir` (SST, WAL, MANIFEST, OPTIONS, logs, keys) that holds `needle`.
std::vector<std::string> files_holding(const fs::path& dir, std::string_view needle) {
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

size_t file_count(const fs::path& dir) {
  size_t n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    n += entry.is_regular_file() ? 1 : 0;
  return n;
}

struct cli_output {
  int status = -1;
  std::string text;
};

/// Runs parleyd on `data_dir` expecting it to refuse to start; returns its exit status and output.
cli_output start_refused(const fs::path& data_dir, const std::string& extra = {}) {
  cli_output result;
  auto command = parleyd_path() + " --data-dir=" + data_dir.string() + " --bind=127.0.0.1 --port=0 " + extra + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.text.append(buffer, n);
  int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// A user created by the admin whose profile, IM message, meeting chat and uploaded image all
/// carry `marker`, with the conversation and meeting they were written in.
struct marked_user {
  account user;
  std::string token;
  std::string conversation;
  std::string file_id;
  std::string image;
  std::string meeting;
};

marked_user write_marker_everywhere(parleyd_process& server, const std::string& admin, member& host,
                                    const std::string& marker) {
  marked_user ben;
  ben.user.username = unique_username("ben");
  auto created = admin_call(server, admin, "POST", "/api/v1/admin/users",
                            {{"username", ben.user.username}, {"password", strong_password},
                             {"display_name", marker + "-profile"}});
  INFO(created.describe());
  REQUIRE(created.status == 201);
  ben.user.id = created.json()["user"]["id"];
  https_client client(server.host(), server.port());
  ben.token = login_token(client, ben.user.username);
  ws_client ws(server.host(), server.port());
  REQUIRE(is_ws_ok(ws.hello(ben.token)));

  ben.conversation = open_direct(ws, host.user);
  send_text(ws, ben.conversation, marker + "-im");
  CHECK(next_message_from(host.ws, ben.conversation, ben.user.id)["text"] == marker + "-im");

  ben.image = png_with(marker + "-image");
  https_client uploader(server.host(), server.port(), std::chrono::seconds{60});
  auto uploaded = uploader.request("POST", "/api/v1/conversations/" + ben.conversation + "/images", ben.image,
                                   {bearer(ben.token)}, "image/png");
  INFO(uploaded.describe());
  REQUIRE(uploaded.status == 201);
  ben.file_id = uploaded.json()["file_id"];

  // The host's meeting; ben joins under a plain name (the live roster is not sealed, see docs).
  ben.meeting = create_meeting(host.ws, {{"join_before_host", true}});
  join(host.ws, ben.meeting);
  join(ws, ben.meeting, {{"display_name", "Ben"}});
  ok(ws, "chat.send", {{"text", marker + "-chat"}});
  wait_event_where(host.ws, "chat.message", [&](const nlohmann::json& m) { return m["text"] == marker + "-chat"; });
  ok(ws, "meeting.leave");
  return ben;
}

std::string texts_of(const std::vector<nlohmann::json>& history) {
  std::string all;
  for (const auto& m : history)
    all += m.value("text", "") + "\n";
  return all;
}

http_response chat_text(const parleyd_process& server, const std::string& token, const std::string& meeting) {
  https_client client(server.host(), server.port());
  return client.get("/api/v1/meetings/" + meeting + "/chat.txt", {bearer(token)});
}

http_response image(const parleyd_process& server, const std::string& token, const marked_user& ben) {
  https_client client(server.host(), server.port());
  return client.get("/api/v1/conversations/" + ben.conversation + "/images/" + ben.file_id, {bearer(token)});
}

} // namespace

TEST_CASE("messages, chat, images and profiles are sealed on disk yet readable, across rotation and SIGKILL",
          "[admin][encryption]") {
  parleyd_process server(admin_server_options());
  const auto admin = admin_token(server);
  auto ann = sign_in(server, "ann");
  const std::string marker = "ZQX-at-rest-4b1d";
  auto ben = write_marker_everywhere(server, admin, ann, marker);
  CHECK(fs::exists(server.data_dir() / "master.key"));
  CHECK((fs::status(server.data_dir() / "master.key").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));

  // Readable through the API...
  auto profile = admin_call(server, admin, "GET", "/api/v1/admin/users/" + ben.user.id);
  CHECK(profile.json()["user"]["display_name"] == marker + "-profile");
  CHECK(image(server, ann.token, ben).body == ben.image);
  CHECK(chat_text(server, ann.token, ben.meeting).body.find(marker + "-chat") != std::string::npos);
  // ...and in no file, neither the WAL nor (after a flush and compaction) any SST.
  CHECK(files_holding(server.data_dir(), marker).empty());
  auto compacted = admin_call(server, admin, "POST", "/api/v1/admin/storage/compact");
  CHECK(compacted.status == 200);
  CHECK(files_holding(server.data_dir(), marker).empty());

  // Rotation: a new version for the organisation and each user; old data stays readable.
  auto before = admin_call(server, admin, "GET", "/api/v1/admin/keys");
  INFO(before.describe());
  REQUIRE(before.status == 200);
  auto version_of = [&](const nlohmann::json& keys) {
    for (const auto& u : keys["keys"]["users"])
      if (u["id"] == ben.user.id)
        return u["version"].get<uint32_t>();
    return uint32_t{0};
  };
  CHECK(version_of(before.json()) == 1);
  auto rotated = admin_call(server, admin, "POST", "/api/v1/admin/keys/rotate");
  INFO(rotated.describe());
  REQUIRE(rotated.status == 200);
  CHECK(version_of(rotated.json()) == 2);
  CHECK(rotated.json()["keys"]["organisation"]["version"].get<uint32_t>() >= 1);
  auto audit = admin_call(server, admin, "GET", "/api/v1/admin/audit?kind=keys.rotate");
  CHECK(audit.body.find("keys.rotate") != std::string::npos);
  // Only administrators rotate.
  CHECK(admin_call(server, ann.token, "POST", "/api/v1/admin/keys/rotate").status == 403);

  {
    ws_client ws(server.host(), server.port());
    REQUIRE(is_ws_ok(ws.hello(ben.token)));
    send_text(ws, ben.conversation, marker + "-after-rotation");
  }

  // A guest's chat belongs to the host's organisation, not to a key of its own.
  const auto guest_meeting = create_meeting(ann.ws, {{"join_before_host", true}, {"guests_allowed", true}});
  ok(ann.ws, "meeting.leave");
  join(ann.ws, guest_meeting);
  {
    ws_client guest(server.host(), server.port());
    ok(guest, "auth.guest", {{"meeting_id", guest_meeting}, {"display_name", "Visitor"}});
    join(guest, guest_meeting);
    ok(guest, "chat.send", {{"text", marker + "-guest-chat"}});
    wait_event_where(ann.ws, "chat.message", [&](const nlohmann::json& m) { return m["text"] == marker + "-guest-chat"; });
  }

  // SIGKILL and restart: both key versions still open what they sealed.
  server.kill();
  CHECK(files_holding(server.data_dir(), marker).empty());
  {
    std::string error;
    auto db = parley::storage::database::open(server.data_dir().string(), error);
    REQUIRE(db);
    REQUIRE(parley::storage::enable_encryption_at_rest(*db, (server.data_dir() / "master.key").string()).empty());
    size_t guest_lines = 0;
    std::unique_ptr<rocksdb::Iterator> it{
      db->raw().NewIterator(rocksdb::ReadOptions{}, db->handle(parley::storage::column_family::messages))};
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto opened = db->key_ring()->open(it->value().ToStringView());
      if (opened && opened->find(marker + "-guest-chat") != std::string::npos) {
        ++guest_lines;
        CHECK(parley::storage::data_key_ring::owner_of(it->value().ToStringView()) ==
              parley::storage::org_owner(1)); // the default organisation
      }
    }
    CHECK(guest_lines == 1);
  }
  server.restart();
  ws_client ann_ws(server.host(), server.port());
  REQUIRE(is_ws_ok(ann_ws.hello(ann.token)));
  auto texts = texts_of(whole_history(ann_ws, ben.conversation));
  CHECK(texts.find(marker + "-im\n") != std::string::npos);
  CHECK(texts.find(marker + "-after-rotation\n") != std::string::npos);
  CHECK(image(server, ann.token, ben).body == ben.image);
  CHECK(chat_text(server, ann.token, ben.meeting).body.find(marker + "-chat") != std::string::npos);
  CHECK(admin_call(server, admin, "GET", "/api/v1/admin/users/" + ben.user.id).json()["user"]["display_name"] ==
        marker + "-profile");
}

TEST_CASE("deleting a user destroys their key first: their data is in no file and no copy opens",
          "[admin][encryption][shredding]") {
  parleyd_process server(admin_server_options());
  const auto admin = admin_token(server);
  auto ann = sign_in(server, "ann");
  const std::string marker = "ZQX-shred-9e2c";
  auto ben = write_marker_everywhere(server, admin, ann, marker);
  ws_client ann_ws = reconnect(server, ann.token);
  CHECK(texts_of(whole_history(ann_ws, ben.conversation)).find(marker + "-im") != std::string::npos);

  // Copies of ben's sealed records as a stolen disk or an old backup would hold them.
  server.kill();
  std::vector<std::string> copies;
  {
    std::string error;
    auto db = parley::storage::database::open(server.data_dir().string(), error);
    REQUIRE(db);
    REQUIRE(parley::storage::enable_encryption_at_rest(*db, (server.data_dir() / "master.key").string()).empty());
    uint64_t ben_id = std::stoull(ben.user.id, nullptr, 16);
    for (auto cf : {parley::storage::column_family::accounts, parley::storage::column_family::messages,
                    parley::storage::column_family::files}) {
      std::unique_ptr<rocksdb::Iterator> it{db->raw().NewIterator(rocksdb::ReadOptions{}, db->handle(cf))};
      for (it->SeekToFirst(); it->Valid(); it->Next())
        if (parley::storage::data_key_ring::owner_of(it->value().ToStringView()) == ben_id)
          copies.push_back(it->value().ToString());
    }
    // Profile, IM message, image record and bytes, chat message.
    CHECK(copies.size() >= 5);
    for (const auto& c : copies)
      CHECK(db->key_ring()->open(c));
  }
  server.restart();

  auto deleted = admin_call(server, admin, "DELETE", "/api/v1/admin/users/" + ben.user.id);
  INFO(deleted.describe());
  REQUIRE(deleted.status == 204);
  // What others saw of ben is gone: the message reads as deleted, the image and chat line are gone.
  ann_ws = reconnect(server, ann.token);
  auto history = whole_history(ann_ws, ben.conversation);
  CHECK(texts_of(history).find(marker) == std::string::npos);
  bool shown_deleted = false;
  for (const auto& m : history)
    shown_deleted = shown_deleted || (m["sender_id"] == ben.user.id && m.value("deleted", false));
  CHECK(shown_deleted);
  CHECK(image(server, ann.token, ben).status == 404);
  auto chat = chat_text(server, ann.token, ben.meeting);
  CHECK(chat.status == 200);
  CHECK(chat.body.find(marker) == std::string::npos);
  CHECK(admin_call(server, admin, "GET", "/api/v1/admin/users/" + ben.user.id).status == 404);
  auto keys = admin_call(server, admin, "GET", "/api/v1/admin/keys");
  CHECK(keys.body.find(ben.user.id) == std::string::npos);

  // Flush and compact, then SIGKILL: no file (SST, WAL, MANIFEST, uploads) holds the marker.
  REQUIRE(admin_call(server, admin, "POST", "/api/v1/admin/storage/compact").status == 200);
  server.kill();
  CHECK(file_count(server.data_dir()) > 5);
  CHECK(files_holding(server.data_dir(), marker).empty());
  {
    std::string error;
    auto db = parley::storage::database::open(server.data_dir().string(), error);
    REQUIRE(db);
    REQUIRE(parley::storage::enable_encryption_at_rest(*db, (server.data_dir() / "master.key").string()).empty());
    for (const auto& c : copies)
      CHECK_FALSE(db->key_ring()->open(c)); // even with the master key, a copy never opens again
  }
  // The node still starts and serves the rest of the conversation.
  server.restart();
  ann_ws = reconnect(server, ann.token);
  CHECK(whole_history(ann_ws, ben.conversation).size() == history.size());
}

TEST_CASE("a missing, wrong or exposed master key stops parleyd with a clear error", "[admin][encryption]") {
  parleyd_process server(admin_server_options());
  auto ann = sign_in(server, "ann");
  const auto key_file = server.data_dir() / "master.key";
  REQUIRE(server.stop().has_value());
  std::string good;
  {
    std::ifstream in(key_file, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  REQUIRE(good.size() == 32);
  auto write_key = [&](const std::string& bytes, fs::perms mode) {
    fs::remove(key_file);
    {
      std::ofstream out(key_file, std::ios::binary);
      out << bytes;
    }
    fs::permissions(key_file, mode);
  };
  const auto owner_only = fs::perms::owner_read | fs::perms::owner_write;

  // The benchmarks' switch for measuring encryption's cost never turns it off on a folder with keys.
  auto unencrypted = start_refused(server.data_dir(), "--unencrypted-store");
  INFO(unencrypted.text);
  CHECK(unencrypted.status != 0);
  CHECK(unencrypted.text.find("holds data encrypted at rest") != std::string::npos);

  write_key(std::string(32, 'w'), owner_only);
  auto wrong = start_refused(server.data_dir());
  INFO(wrong.text);
  CHECK(wrong.status != 0);
  CHECK(wrong.text.find("is not the key the data folder") != std::string::npos);

  write_key(good, owner_only | fs::perms::group_read | fs::perms::others_read);
  auto exposed = start_refused(server.data_dir());
  INFO(exposed.text);
  CHECK(exposed.status != 0);
  CHECK(exposed.text.find("make it mode 0600") != std::string::npos);

  write_key(good.substr(0, 16), owner_only);
  auto short_key = start_refused(server.data_dir());
  CHECK(short_key.status != 0);
  CHECK(short_key.text.find("exactly 32 bytes") != std::string::npos);

  fs::remove(key_file);
  auto missing = start_refused(server.data_dir());
  INFO(missing.text);
  CHECK(missing.status != 0);
  CHECK(missing.text.find("is missing") != std::string::npos);
  CHECK_FALSE(fs::exists(key_file)); // never silently replaced by a new key

  // The right key, kept outside the data folder and named with --master-key-file, starts it again.
  const auto outside = server.data_dir().parent_path() / (server.data_dir().filename().string() + "-master.key");
  {
    std::ofstream out(outside, std::ios::binary);
    out << good;
  }
  fs::permissions(outside, owner_only);
  auto options = admin_server_options({"--master-key-file=" + outside.string()});
  options.data_dir = server.data_dir();
  {
    parleyd_process again(options);
    https_client client(again.host(), again.port());
    CHECK(login_token(client, ann.user.username).size() > 0); // the sealed profile opens
    again.stop();
  }
  fs::remove(outside);
}

TEST_CASE("a fresh folder runs with --unencrypted-store without a master key, and a normal start encrypts from then on",
          "[admin][encryption]") {
  parleyd_process server(admin_server_options({"--unencrypted-store"}));
  auto ann = sign_in(server, "ann");
  CHECK_FALSE(fs::exists(server.data_dir() / "master.key"));
  REQUIRE(server.stop().has_value());

  auto options = admin_server_options();
  options.data_dir = server.data_dir();
  parleyd_process again(options);
  https_client client(again.host(), again.port());
  CHECK(login_token(client, ann.user.username).size() > 0); // what was written in plain stays readable
  CHECK(fs::exists(server.data_dir() / "master.key"));
  again.stop();
}
