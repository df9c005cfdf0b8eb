// TOTP MFA through a real parleyd: enrolment (URI, QR PNG), confirmation, the two-step sign-in,
// single use of codes, recovery codes, an organisation that requires MFA, admin reset.
#include <sodium.h>

#include <algorithm>
#include <string>

#include "tests/security/security_harness.hpp"

using namespace parley::test_support;

namespace {

struct enrolment {
  std::string secret; // raw key bytes
  std::vector<std::string> recovery_codes;
  int64_t confirmed_step = 0;
};

std::string base64_decode(const std::string& text) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.c_str(), text.size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL)
      != 0)
    return {};
  out.resize(length);
  return out;
}

/// Enrols with `auth` (a bearer header or a challenge in the body) and checks what the user sees.
nlohmann::json enroll(https_client& client, const header_list& headers, const nlohmann::json& body = nlohmann::json::object()) {
  auto response = client.post_json("/api/v1/auth/mfa/enroll", body, headers);
  INFO(response.describe());
  REQUIRE(response.status == 200);
  auto json = response.json();
  const auto uri = json["otpauth_uri"].get<std::string>();
  CHECK(uri.rfind("otpauth://totp/Parley:", 0) == 0);
  CHECK(uri.find("secret=" + json["secret"].get<std::string>()) != std::string::npos);
  CHECK(uri.find("issuer=Parley") != std::string::npos);
  const auto png = base64_decode(json["qr_png"].get<std::string>());
  REQUIRE(png.size() > 100);
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  CHECK(png.substr(12, 4) == "IHDR");
  return json;
}

enrolment enroll_and_confirm(https_client& client, const std::string& token) {
  auto json = enroll(client, {bearer(token)});
  enrolment result;
  result.secret = base32_decode(json["secret"].get<std::string>());
  REQUIRE(result.secret.size() == 20);
  // A wrong first code does not enable MFA.
  auto wrong = client.post_json("/api/v1/auth/mfa/confirm", {{"code", "000000"}}, {bearer(token)});
  if (wrong.status != 200) // one in a million: 000000 is the right code
    CHECK(has_error(wrong, "mfa_invalid"));
  const auto now = unix_time_now();
  auto confirmed = client.post_json("/api/v1/auth/mfa/confirm", {{"code", rfc6238_code(result.secret, now)}},
                                    {bearer(token)});
  INFO(confirmed.describe());
  REQUIRE(confirmed.status == 200);
  // Keep the parsed body alive: a range-for over confirmed.json()[...] would read a destroyed temporary.
  const auto confirmed_body = confirmed.json();
  for (const auto& code : confirmed_body["recovery_codes"])
    result.recovery_codes.push_back(code.get<std::string>());
  CHECK(result.recovery_codes.size() == 10);
  result.confirmed_step = now / 30;
  return result;
}

/// A code the server has not seen yet: for the step after the confirmed one (within ±1 step).
std::string next_code(const enrolment& e, int64_t step_offset = 1) {
  return rfc6238_code(e.secret, (e.confirmed_step + step_offset) * 30);
}

} // namespace

TEST_CASE("the test authenticator matches RFC 6238 Appendix B", "[security][mfa]") {
  const std::string sha1_key = "12345678901234567890";
  const std::string sha256_key = "12345678901234567890123456789012";
  const std::string sha512_key = "1234567890123456789012345678901234567890123456789012345678901234";
  struct vector {
    int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  const vector vectors[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const auto& v : vectors) {
    CHECK(rfc6238_code(sha1_key, v.time, 8, EVP_sha1()) == v.sha1);
    CHECK(rfc6238_code(sha256_key, v.time, 8, EVP_sha256()) == v.sha256);
    CHECK(rfc6238_code(sha512_key, v.time, 8, EVP_sha512()) == v.sha512);
  }
}

TEST_CASE("a user enrols in TOTP and then signs in with a code, each code and recovery code once",
          "[security][mfa]") {
  parleyd_process server(security_server());
  auto client = client_for(server);
  auto user = sign_up(server, "mfa");
  auto e = enroll_and_confirm(client, user.token);

  // The password alone no longer gives a token: a challenge comes back instead.
  auto login = login_raw(client, user.user.username, strong_password);
  INFO(login.describe());
  REQUIRE(login.status == 200);
  auto step1 = login.json();
  CHECK(step1["mfa_required"] == true);
  CHECK_FALSE(step1.contains("token"));
  const auto challenge = step1["challenge"].get<std::string>();
  CHECK(step1["challenge_expires_at"].get<int64_t>() > unix_time_now());

  auto wrong = client.post_json("/api/v1/auth/mfa/verify", {{"challenge", challenge}, {"code", "12345"}});
  CHECK(has_error(wrong, "mfa_invalid"));
  const auto code = next_code(e);
  auto verified = client.post_json("/api/v1/auth/mfa/verify", {{"challenge", challenge}, {"code", code}});
  INFO(verified.describe());
  REQUIRE(verified.status == 200);
  const auto token = verified.json()["token"].get<std::string>();
  auto ws = hello_client(server, token);
  CHECK(is_ws_ok(ws.call("sys.ping")));

  // The challenge is spent, and the same code does not work twice.
  auto reused_challenge = client.post_json("/api/v1/auth/mfa/verify", {{"challenge", challenge}, {"code", code}});
  CHECK(has_error(reused_challenge, "unauthenticated"));
  auto second = login_raw(client, user.user.username, strong_password).json()["challenge"].get<std::string>();
  auto replay = client.post_json("/api/v1/auth/mfa/verify", {{"challenge", second}, {"code", code}});
  INFO(replay.describe());
  CHECK(has_error(replay, "mfa_invalid"));

  // A recovery code stands in for a code, once.
  auto recovered = client.post_json("/api/v1/auth/mfa/verify",
                                    {{"challenge", second}, {"recovery_code", e.recovery_codes.front()}});
  INFO(recovered.describe());
  REQUIRE(recovered.status == 200);
  CHECK(recovered.json()["token"].is_string());
  auto third = login_raw(client, user.user.username, strong_password).json()["challenge"].get<std::string>();
  auto spent = client.post_json("/api/v1/auth/mfa/verify",
                                {{"challenge", third}, {"recovery_code", e.recovery_codes.front()}});
  CHECK(has_error(spent, "mfa_invalid"));
  auto other = client.post_json("/api/v1/auth/mfa/verify",
                                {{"challenge", third}, {"recovery_code", e.recovery_codes.back()}});
  CHECK(other.status == 200);

  // Enrolling twice is refused.
  CHECK(has_error(client.post_json("/api/v1/auth/mfa/enroll", nlohmann::json::object(), {bearer(token)}), "conflict"));
}

TEST_CASE("a challenge dies after five wrong codes", "[security][mfa]") {
  parleyd_process server(security_server());
  auto client = client_for(server);
  auto user = sign_up(server, "guess");
  auto e = enroll_and_confirm(client, user.token);
  auto challenge = login_raw(client, user.user.username, strong_password).json()["challenge"].get<std::string>();
  const auto right = next_code(e);
  const auto wrong = right == "111111" ? std::string{"222222"} : std::string{"111111"};
  for (int i = 0; i < 5; ++i)
    CHECK(has_error(client.post_json("/api/v1/auth/mfa/verify", {{"challenge", challenge}, {"code", wrong}}),
                    "mfa_invalid"));
  auto late = client.post_json("/api/v1/auth/mfa/verify", {{"challenge", challenge}, {"code", right}});
  INFO(late.describe());
  CHECK(has_error(late, "unauthenticated"));
}

TEST_CASE("an organisation that requires MFA has users enrol at sign-in, and an admin can reset MFA",
          "[security][mfa]") {
  parleyd_process server(security_server());
  auto admin = admin_token(server);
  auto client = client_for(server);
  auto user = register_account(client, unique_username("required"));
  set_policy(server, admin, {{"require_mfa", true}});

  auto login = login_raw(client, user.username, strong_password);
  INFO(login.describe());
  REQUIRE(login.status == 200);
  CHECK(login.json()["mfa_enrolment_required"] == true);
  CHECK_FALSE(login.json().contains("token"));
  const auto challenge = login.json()["challenge"].get<std::string>();
  // An enrolment challenge is not a sign-in: it cannot be used as a token or to verify.
  ws_client ws(server.host(), server.port());
  CHECK_FALSE(is_ws_ok(ws.hello(challenge)));

  auto enrolled = enroll(client, {}, {{"challenge", challenge}});
  const auto secret = base32_decode(enrolled["secret"].get<std::string>());
  auto confirmed = client.post_json("/api/v1/auth/mfa/confirm",
                                    {{"challenge", challenge}, {"code", rfc6238_code(secret, unix_time_now())}});
  INFO(confirmed.describe());
  REQUIRE(confirmed.status == 200);
  CHECK(confirmed.json()["recovery_codes"].size() == 10);
  hello_client(server, confirmed.json()["token"].get<std::string>());

  // Now the user has MFA: sign-in asks for a code, not enrolment.
  auto again = login_raw(client, user.username, strong_password);
  CHECK(again.json()["mfa_required"] == true);

  // Admin reset: MFA is gone; with the org rule still on, the user must enrol again.
  auto reset = client.request("POST", "/api/v1/admin/users/" + user.username + "/mfa/reset", "{}", {bearer(admin)});
  INFO(reset.describe());
  REQUIRE(reset.status == 200);
  CHECK(reset.json()["user"]["mfa_enabled"] == false);
  CHECK(login_raw(client, user.username, strong_password).json()["mfa_enrolment_required"] == true);
  // With the rule off, the password alone signs in.
  set_policy(server, admin, {{"require_mfa", false}});
  auto plain = login_raw(client, user.username, strong_password);
  INFO(plain.describe());
  CHECK(plain.json()["token"].is_string());
}

TEST_CASE("pending MFA challenges and their wrong-code counts survive a killed and restarted server",
          "[security][mfa][restart]") {
  parleyd_process server(security_server());
  auto user = sign_up(server, "mfakill");
  enrolment e;
  std::string counted, fresh;
  {
    auto client = client_for(server);
    e = enroll_and_confirm(client, user.token);
    counted = login_raw(client, user.user.username, strong_password).json()["challenge"].get<std::string>();
    fresh = login_raw(client, user.user.username, strong_password).json()["challenge"].get<std::string>();
    for (int i = 0; i < 4; ++i)
      CHECK(has_error(client.post_json("/api/v1/auth/mfa/verify", {{"challenge", counted}, {"code", "12345"}}),
                      "mfa_invalid"));
  }
  server.kill();
  server.restart();

  auto client = client_for(server);
  // A code for a step the server has not accepted yet.
  const auto step = std::max(unix_time_now() / 30, e.confirmed_step + 1);
  const auto code = rfc6238_code(e.secret, step * 30);
  // The fifth wrong code still kills the challenge: the count was not reset by the restart.
  CHECK(has_error(client.post_json("/api/v1/auth/mfa/verify", {{"challenge", counted}, {"code", "12345"}}),
                  "mfa_invalid"));
  CHECK(has_error(client.post_json("/api/v1/auth/mfa/verify", {{"challenge", counted}, {"code", code}}),
                  "unauthenticated"));
  // The other challenge, handed out before the kill, completes the sign-in after it.
  auto verified = client.post_json("/api/v1/auth/mfa/verify", {{"challenge", fresh}, {"code", code}});
  INFO(verified.describe());
  REQUIRE(verified.status == 200);
  auto ws = hello_client(server, verified.json()["token"].get<std::string>());
  CHECK(is_ws_ok(ws.call("sys.ping")));
  // And it signs in once only.
  CHECK(has_error(client.post_json("/api/v1/auth/mfa/verify", {{"challenge", fresh}, {"code", code}}),
                  "unauthenticated"));
}
