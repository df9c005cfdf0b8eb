// API keys and temporary credentials through a real parleyd: HMAC-SHA256 request signing (wrong
// signature, clock skew, replay, tampered body), scopes, expiry, revocation, and a bot that may
// join exactly one meeting.
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <chrono>
#include <thread>

#include "tests/meetings/meeting_harness.hpp"
#include "tests/security/security_harness.hpp"

using namespace parley::test_support;

namespace {

std::string hex(const unsigned char* bytes, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0xf]);
  }
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string fresh_nonce() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  return hex(bytes, sizeof bytes);
}

struct credential {
  std::string id;
  std::string secret;
};

/// The client's side of the signing scheme, written from docs/protocol.md.
struct signed_call {
  std::string method = "GET";
  std::string path = "/api/v1/me";
  std::string query;           // as sent, e.g. "b=2&a=1"
  std::string body;            // as sent
  std::string signed_body;     // what the signature covers (normally the body)
  bool tamper_body = false;
  int64_t time = unix_time_now();
  std::string nonce = fresh_nonce();
  std::string signing_secret;  // normally the credential's secret
};

std::string sorted_query(const std::string& query) {
  std::vector<std::string> pairs;
  size_t at = 0;
  while (at < query.size()) {
    auto amp = query.find('&', at);
    auto item = query.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    if (!item.empty())
      pairs.push_back(item.find('=') == std::string::npos ? item + "=" : item);
    if (amp == std::string::npos)
      break;
    at = amp + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& p : pairs)
    out += (out.empty() ? "" : "&") + p;
  return out;
}

http_response send_signed(const parleyd_process& server, const credential& key, signed_call call) {
  auto secret = call.signing_secret.empty() ? key.secret : call.signing_secret;
  auto covered = call.tamper_body ? call.signed_body : call.body;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(covered.data()), covered.size(), digest);
  auto canonical = call.method + "\n" + call.path + "\n" + sorted_query(call.query) + "\n" + std::to_string(call.time)
                   + "\n" + call.nonce + "\n" + hex(digest, sizeof digest);
  auto signing_key = hmac_sha256(secret, "parley-request-v1");
  auto signature = hmac_sha256(signing_key, canonical);
  auto sig_hex = hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
  header_list headers{{"Authorization", "PARLEY-HMAC-SHA256 Credential=" + key.id + ", Signature=" + sig_hex},
                      {"X-Parley-Date", std::to_string(call.time)},
                      {"X-Parley-Nonce", call.nonce}};
  auto target = call.path + (call.query.empty() ? "" : "?" + call.query);
  auto client = client_for(server);
  return client.request(call.method, target, call.body, headers);
}

credential create_key(const parleyd_process& server, const std::string& token, const nlohmann::json& body) {
  auto client = client_for(server);
  auto response = client.post_json("/api/v1/keys", body, {bearer(token)});
  INFO(response.describe());
  REQUIRE(response.status == 200);
  auto json = response.json();
  REQUIRE(json["secret"].is_string());
  return {json["access_key_id"].get<std::string>(), json["secret"].get<std::string>()};
}

credential temporary(const parleyd_process& server, const credential& parent, const nlohmann::json& body) {
  signed_call call;
  call.method = "POST";
  call.path = "/api/v1/keys/temporary";
  call.body = body.dump();
  auto response = send_signed(server, parent, call);
  INFO(response.describe());
  REQUIRE(response.status == 200);
  return {response.json()["access_key_id"].get<std::string>(), response.json()["secret"].get<std::string>()};
}

} // namespace

TEST_CASE("requests signed with an API key are checked for signature, clock skew and replay", "[security][keys]") {
  parleyd_process server(security_server());
  auto user = sign_up(server, "keys");
  auto key = create_key(server, user.token, {{"name", "ci"}, {"scopes", {"profile:read", "keys:temporary"}}});
  CHECK(key.id.rfind("PK", 0) == 0);

  // The secret is shown once: listing never returns it.
  auto client = client_for(server);
  auto listed = client.get("/api/v1/keys", {bearer(user.token)});
  INFO(listed.describe());
  REQUIRE(listed.status == 200);
  REQUIRE(listed.json()["keys"].size() == 1);
  CHECK(listed.json()["keys"][0]["access_key_id"] == key.id);
  CHECK(listed.body.find(key.secret) == std::string::npos);

  signed_call good;
  good.query = "b=2&a=1";
  auto me = send_signed(server, key, good);
  INFO(me.describe());
  REQUIRE(me.status == 200);
  CHECK(me.json()["user"]["username"] == user.user.username);
  CHECK(me.json()["key"]["scopes"] == nlohmann::json({"profile:read", "keys:temporary"}));

  // The same nonce again is a replay, even with a valid signature.
  auto replayed = send_signed(server, key, good);
  INFO(replayed.describe());
  CHECK(has_error(replayed, "unauthenticated"));
  CHECK(replayed.json()["error"]["message"].get<std::string>().find("replay") != std::string::npos);

  signed_call wrong_secret;
  wrong_secret.signing_secret = "not-the-secret-not-the-secret-not-the-secre";
  CHECK(has_error(send_signed(server, key, wrong_secret), "unauthenticated"));

  signed_call stale;
  stale.time = unix_time_now() - 400;
  auto too_old = send_signed(server, key, stale);
  CHECK(has_error(too_old, "unauthenticated"));
  CHECK(too_old.json()["error"]["message"].get<std::string>().find("5 minutes") != std::string::npos);
  signed_call future;
  future.time = unix_time_now() + 400;
  CHECK(has_error(send_signed(server, key, future), "unauthenticated"));
  signed_call slightly_off; // within ±5 minutes is fine
  slightly_off.time = unix_time_now() - 200;
  CHECK(send_signed(server, key, slightly_off).status == 200);

  // A body other than the signed one, or a query changed after signing, fails.
  signed_call tampered;
  tampered.method = "POST";
  tampered.path = "/api/v1/keys/temporary";
  tampered.signed_body = R"({"scopes":["profile:read"]})";
  tampered.body = R"({"scopes":["profile:read","keys:temporary"]})";
  tampered.tamper_body = true;
  CHECK(has_error(send_signed(server, key, tampered), "unauthenticated"));

  // Unsigned or malformed authorisation.
  CHECK(has_error(client.get("/api/v1/me"), "unauthenticated"));
  CHECK(has_error(client.get("/api/v1/me", {bearer(user.token)}), "unauthenticated"));

  // Scope: a key without profile:read may not read the profile.
  auto joiner = create_key(server, user.token, {{"scopes", {"meetings:join"}}});
  CHECK(has_error(send_signed(server, joiner, signed_call{}), "forbidden"));
  CHECK(has_error(client.post_json("/api/v1/keys", {{"scopes", {"root"}}}, {bearer(user.token)}), "bad_request"));

  // Revoked keys stop working at once.
  auto revoked = client.request("DELETE", "/api/v1/keys/" + key.id, "", {bearer(user.token)});
  INFO(revoked.describe());
  REQUIRE(revoked.status == 200);
  CHECK(has_error(send_signed(server, key, signed_call{}), "unauthenticated"));
  // Another user cannot revoke someone else's key.
  auto other = sign_up(server, "other");
  CHECK(has_error(client.request("DELETE", "/api/v1/keys/" + joiner.id, "", {bearer(other.token)}), "not_found"));
}

TEST_CASE("temporary credentials have narrower scopes and expire", "[security][keys]") {
  parleyd_process server(security_server());
  auto user = sign_up(server, "temp");
  auto key = create_key(server, user.token, {{"scopes", {"profile:read", "keys:temporary"}}});

  // Default lifetime is one hour.
  signed_call call;
  call.method = "POST";
  call.path = "/api/v1/keys/temporary";
  call.body = R"({"scopes":["profile:read"]})";
  auto issued = send_signed(server, key, call);
  INFO(issued.describe());
  REQUIRE(issued.status == 200);
  auto expires_at = issued.json()["expires_at"].get<int64_t>();
  CHECK(expires_at > unix_time_now() + 3600 - 120);
  CHECK(expires_at <= unix_time_now() + 3600 + 5);
  CHECK(issued.json()["parent_key_id"] == key.id);

  auto refuse = [&](const nlohmann::json& body, std::string_view code) {
    signed_call c;
    c.method = "POST";
    c.path = "/api/v1/keys/temporary";
    c.body = body.dump();
    auto response = send_signed(server, key, c);
    INFO(body.dump() << " -> " << response.describe());
    CHECK(has_error(response, code));
  };
  refuse({{"scopes", {"meetings:join"}}}, "forbidden");       // not in the parent's scopes
  refuse({{"scopes", {"keys:temporary"}}}, "forbidden");      // no chains of credentials
  refuse({{"scopes", {"profile:read"}}, {"ttl_seconds", 12 * 3600 + 1}}, "bad_request");
  refuse({{"scopes", nlohmann::json::array()}}, "bad_request");

  auto short_lived = temporary(server, key, {{"scopes", {"profile:read"}}, {"ttl_seconds", 5}});
  auto me = send_signed(server, short_lived, signed_call{});
  INFO(me.describe());
  CHECK(me.status == 200);
  CHECK(me.json()["key"]["scopes"] == nlohmann::json({"profile:read"}));
  // A temporary credential cannot mint another one.
  signed_call chain;
  chain.method = "POST";
  chain.path = "/api/v1/keys/temporary";
  chain.body = R"({"scopes":["profile:read"]})";
  CHECK(has_error(send_signed(server, short_lived, chain), "forbidden"));

  // After its expiry it is refused.
  std::this_thread::sleep_for(std::chrono::seconds{7});
  CHECK(has_error(send_signed(server, short_lived, signed_call{}), "unauthenticated"));

  // Revoking the parent ends its temporary credentials too.
  auto long_lived = temporary(server, key, {{"scopes", {"profile:read"}}});
  CHECK(send_signed(server, long_lived, signed_call{}).status == 200);
  auto client = client_for(server);
  REQUIRE(client.request("DELETE", "/api/v1/keys/" + key.id, "", {bearer(user.token)}).status == 200);
  CHECK(has_error(send_signed(server, long_lived, signed_call{}), "unauthenticated"));
}

TEST_CASE("a bot's service account with a temporary credential joins one meeting and nothing else",
          "[security][keys]") {
  parleyd_process server(security_server());
  auto admin = admin_token(server);
  auto client = client_for(server);
  auto host = sign_in(server, "host");
  auto meeting = create_meeting(host.ws, {{"join_before_host", true}});
  auto other_meeting = create_meeting(host.ws);

  auto bot = client.post_json("/api/v1/admin/service-accounts", {{"username", "recorder.bot"}}, {bearer(admin)});
  INFO(bot.describe());
  REQUIRE(bot.status == 200);
  // A plain user may neither create service accounts nor keys for them.
  CHECK(has_error(client.post_json("/api/v1/admin/service-accounts", {{"username", "x.bot"}}, {bearer(host.token)}),
                  "forbidden"));
  CHECK(has_error(client.post_json("/api/v1/keys", {{"scopes", {"meetings:join"}}, {"owner", "recorder.bot"}},
                                   {bearer(host.token)}),
                  "forbidden"));
  // A service account has no password to sign in with.
  CHECK(login_raw(client, "recorder.bot", "").status != 200);

  auto key = create_key(server, admin, {{"scopes", {"meetings:join", "keys:temporary"}}, {"owner", "recorder.bot"}});
  auto temp = temporary(server, key, {{"scopes", {"meetings:join"}}, {"meeting_id", meeting}, {"ttl_seconds", 600}});

  signed_call exchange;
  exchange.method = "POST";
  exchange.path = "/api/v1/auth/token";
  auto token = send_signed(server, temp, exchange);
  INFO(token.describe());
  REQUIRE(token.status == 200);
  CHECK(token.json()["user"]["username"] == "recorder.bot");
  CHECK(token.json()["meeting_id"] == meeting);
  CHECK(token.json()["expires_at"].get<int64_t>() <= unix_time_now() + 600 + 5);

  join(host.ws, meeting);
  auto bot_ws = hello_client(server, token.json()["token"].get<std::string>());
  refused(bot_ws, "meeting.join", {{"meeting_id", other_meeting}}, "forbidden");
  refused(bot_ws, "meeting.create", {{"topic", "bot meeting"}}, "forbidden");
  auto joined = join(bot_ws, meeting);
  CHECK(joined["state"] == "joined");
  CHECK(is_ws_ok(bot_ws.call("chat.send", {{"text", "recording started"}})));
  auto message = wait_event(host.ws, "participant.joined");
  CHECK(message["participant"]["display_name"] == "recorder.bot");
}

TEST_CASE("a signed request replayed after the server was killed and restarted is still refused",
          "[security][keys][restart]") {
  parleyd_process server(security_server());
  auto user = sign_up(server, "replay");
  auto key = create_key(server, user.token, {{"scopes", {"profile:read", "keys:temporary"}}});

  signed_call read_profile;
  REQUIRE(send_signed(server, key, read_profile).status == 200);
  signed_call mint;
  mint.method = "POST";
  mint.path = "/api/v1/keys/temporary";
  mint.body = R"({"scopes":["profile:read"]})";
  auto minted = send_signed(server, key, mint);
  INFO(minted.describe());
  REQUIRE(minted.status == 200);

  // kill -9: nothing gets a chance to flush. The answered requests' nonces must be on disk.
  server.kill();
  server.restart();

  for (const auto& call : {read_profile, mint}) {
    auto replayed = send_signed(server, key, call);
    INFO(call.path << " replayed after the restart -> " << replayed.describe());
    CHECK(has_error(replayed, "unauthenticated"));
    CHECK(replayed.json()["error"]["message"].get<std::string>().find("replay") != std::string::npos);
  }
  // The replay minted nothing: still one temporary credential next to the key.
  auto client = client_for(server);
  auto listed = client.get("/api/v1/keys", {bearer(user.token)});
  REQUIRE(listed.status == 200);
  CHECK(listed.json()["keys"].size() == 2);
  // A fresh nonce still works.
  CHECK(send_signed(server, key, signed_call{}).status == 200);
}

TEST_CASE("a token from an API key is refused by every REST route outside its scopes", "[security][keys][scopes]") {
  parleyd_process server(security_server());
  auto host = sign_in(server, "scoped");
  auto meeting = create_meeting(host.ws, {{"join_before_host", true}});
  join(host.ws, meeting);
  REQUIRE(is_ws_ok(host.ws.call("chat.send", {{"text", "the plan for the quarter"}})));

  auto key = create_key(server, host.token, {{"scopes", {"meetings:join", "keys:temporary"}}});
  auto temp = temporary(server, key, {{"scopes", {"meetings:join"}}, {"meeting_id", meeting}, {"ttl_seconds", 600}});
  signed_call exchange;
  exchange.method = "POST";
  exchange.path = "/api/v1/auth/token";
  auto issued = send_signed(server, temp, exchange);
  INFO(issued.describe());
  REQUIRE(issued.status == 200);
  const auto scoped = issued.json()["token"].get<std::string>();

  auto client = client_for(server);
  const auto chat_path = "/api/v1/meetings/" + meeting + "/chat.txt";
  // The host's own sign-in downloads the chat ...
  auto full = client.get(chat_path, {bearer(host.token)});
  INFO(full.describe());
  REQUIRE(full.status == 200);
  CHECK(full.body.find("the plan for the quarter") != std::string::npos);
  // ... a credential that may only join this meeting, issued for the same user, does not.
  auto refuse = [&](const http_response& response) {
    INFO(response.describe());
    CHECK(has_error(response, "forbidden"));
    CHECK(response.body.find("API key") != std::string::npos);
    CHECK(response.body.find("the plan for the quarter") == std::string::npos);
  };
  refuse(client.get(chat_path, {bearer(scoped)}));
  // IM images: neither upload nor download.
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89", 33);
  refuse(client.request("POST", "/api/v1/conversations/00000000000000aa/images", png, {bearer(scoped)}));
  refuse(client.get("/api/v1/conversations/00000000000000aa/images/00000000000000bb", {bearer(scoped)}));
  // Account management: keys, MFA, phone.
  refuse(client.post_json("/api/v1/keys", {{"scopes", {"meetings:join"}}}, {bearer(scoped)}));
  refuse(client.get("/api/v1/keys", {bearer(scoped)}));
  refuse(client.post_json("/api/v1/auth/mfa/enroll", nlohmann::json::object(), {bearer(scoped)}));
  refuse(client.post_json("/api/v1/auth/mfa/confirm", {{"code", "123456"}}, {bearer(scoped)}));
  refuse(client.post_json("/api/v1/auth/phone", {{"phone", "+15551234567"}}, {bearer(scoped)}));
  // The admin API, even for an administrator's own key.
  auto admin = admin_token(server);
  auto admin_key = create_key(server, admin, {{"scopes", {"meetings:join"}}});
  auto admin_scoped = send_signed(server, admin_key, exchange);
  REQUIRE(admin_scoped.status == 200);
  CHECK(has_error(client.get("/api/v1/admin/users", {bearer(admin_scoped.json()["token"].get<std::string>())}),
                  "forbidden"));
  // What the credential is for still works: joining that meeting.
  auto bot_ws = hello_client(server, scoped);
  CHECK(join(bot_ws, meeting)["state"] == "joined");
}
