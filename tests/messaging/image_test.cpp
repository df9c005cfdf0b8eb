// Images: upload over HTTPS (checked by content, size-limited), sent as a message, served only to members.
#include <memory>

#include <rocksdb/db.h>

#include "messaging/messaging_keys.hpp"
#include "storage/database.hpp"
#include "tests/messaging/messaging_harness.hpp"

using namespace parley::test_support;

namespace {

// A real 1×1 PNG.
const std::string tiny_png = [] {
  const unsigned char bytes[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}();

std::string images_path(const std::string& conversation) {
  return "/api/v1/conversations/" + conversation + "/images";
}

http_response upload(const parleyd_process& server, const std::string& conversation, const std::string& token,
                     std::string body, std::string_view content_type = "image/png") {
  https_client client(server.host(), server.port(), std::chrono::seconds{60});
  return client.request("POST", images_path(conversation), std::move(body), {bearer(token)}, content_type);
}

/// Image records in the files family of a stopped server's data folder.
size_t stored_images(const parleyd_process& server) {
  std::string error;
  auto db = parley::storage::database::open(server.data_dir().string(), error);
  REQUIRE(db);
  size_t count = 0;
  std::unique_ptr<rocksdb::Iterator> it{
    db->raw().NewIterator(rocksdb::ReadOptions{}, db->handle(parley::storage::column_family::files))};
  for (it->SeekToFirst(); it->Valid(); it->Next())
    ++count;
  return count;
}

} // namespace

TEST_CASE("an uploaded image reaches the other member and is refused to everyone else", "[messaging][images]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  auto eve = sign_in(server, "eve");
  const auto id = open_direct(ann.ws, ben.user);

  // The name and the claimed type do not matter: the bytes do.
  auto uploaded = upload(server, id, ann.token, tiny_png, "application/octet-stream");
  INFO(uploaded.describe());
  REQUIRE(uploaded.status == 201);
  const std::string file_id = uploaded.json()["file_id"];
  CHECK(uploaded.json()["mime"] == "image/png");
  CHECK(uploaded.json()["size"] == tiny_png.size());

  ok(ann.ws, "im.send", {{"conversation_id", id}, {"client_id", "img"}, {"kind", "image"}, {"file_id", file_id},
                         {"text", "look 📷"}});
  auto got = next_message(ben.ws, id);
  CHECK(got["kind"] == "image");
  CHECK(got["file_id"] == file_id);
  CHECK(got["mime"] == "image/png");

  https_client client(server.host(), server.port());
  const auto path = images_path(id) + "/" + file_id;
  auto download = client.get(path, {bearer(ben.token)});
  CHECK(download.status == 200);
  CHECK(download.header("content-type") == "image/png");
  CHECK(download.body == tiny_png);

  auto stranger = client.get(path, {bearer(eve.token)});
  CHECK(stranger.status == 403);
  CHECK(has_error(stranger, "forbidden"));
  CHECK(stranger.body.find("PNG") == std::string::npos);
  CHECK(client.get(path).status == 401);
  CHECK(client.get(images_path(id) + "/0123456789abcdef", {bearer(ben.token)}).status == 404);
  auto upload_by_stranger = upload(server, id, eve.token, tiny_png);
  CHECK(upload_by_stranger.status == 403);
  // An image of another conversation cannot be sent here.
  const auto other = open_direct(eve.ws, ben.user);
  refused(eve.ws, "im.send", {{"conversation_id", other}, {"client_id", "steal"}, {"kind", "image"}, {"file_id", file_id}},
          "not_found");
}

TEST_CASE("malformed and oversized images are refused with a clear error and nothing is stored", "[messaging][images]") {
  parleyd_process server(meeting_server_options());
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  const auto id = open_direct(ann.ws, ben.user);

  auto text_as_png = upload(server, id, ann.token, "this is not a picture, whatever its name says .png");
  INFO(text_as_png.describe());
  CHECK(text_as_png.status == 400);
  CHECK(has_error(text_as_png, "bad_request"));
  CHECK(text_as_png.json()["error"]["message"].get<std::string>().find("PNG, JPEG, GIF or WebP") != std::string::npos);

  auto truncated = upload(server, id, ann.token, tiny_png.substr(0, 10));
  CHECK(truncated.status == 400);

  auto huge = tiny_png + std::string(5 * 1024 * 1024, '\0');
  auto too_big = upload(server, id, ann.token, huge);
  INFO(too_big.describe());
  CHECK(too_big.status == 413);
  CHECK(has_error(too_big, "payload_too_large"));

  refused(ann.ws, "im.send", {{"conversation_id", id}, {"client_id", "ghost"}, {"kind", "image"},
                              {"file_id", "0123456789abcdef"}}, "not_found");
  CHECK(whole_history(ann.ws, id).empty());
  REQUIRE(server.stop() == 0);
  CHECK(stored_images(server) == 0);
}
