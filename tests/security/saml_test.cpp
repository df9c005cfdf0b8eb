// SAML 2.0 SP through a real parleyd. The test plays the IdP with its own key and certificate
// (made with openssl at run time) and signs assertions with the xmlsec1 tool: valid, unsigned,
// tampered, expired, wrong audience, wrong recipient, unsolicited and replayed assertions.
#include <sodium.h>
#include <zlib.h>

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/security/security_harness.hpp"

using namespace parley::test_support;

namespace {

constexpr const char* sp_entity = "parley-test-sp";
constexpr const char* idp_entity = "https://idp.example.test/saml";
constexpr const char* acs_url = "https://meet.example.test/api/v1/auth/saml/acs";

struct idp_keys {
  std::filesystem::path dir;
  std::filesystem::path key;
  std::filesystem::path cert;
  idp_keys() {
    dir = std::filesystem::temp_directory_path() / ("saml-idp-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(dir);
    key = dir / "idp.key";
    cert = dir / "idp.pem";
    auto command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-idp -keyout " + key.string()
                   + " -out " + cert.string() + " 2>/dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
  }
  ~idp_keys() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in{path};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string iso(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::string url_encode(const std::string& s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

std::string unbase64(const std::string& text) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  REQUIRE(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                            &length, nullptr, sodium_base64_VARIANT_ORIGINAL)
          == 0);
  out.resize(length);
  return out;
}

std::string inflate_raw(const std::string& input) {
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, -15) == Z_OK);
  std::string out(64 * 1024, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  auto rc = inflate(&stream, Z_FINISH);
  inflateEnd(&stream);
  REQUIRE(rc == Z_STREAM_END);
  out.resize(stream.total_out);
  return out;
}

/// SP-initiated login: GET /api/v1/auth/saml/login must redirect to the IdP with a deflated
/// AuthnRequest; returns the request's ID.
/// A sign-in started as a browser starts it: the AuthnRequest's ID, and the cookie that binds the
/// browser to it (`name=value`, sent back with the IdP's POST to the ACS).
struct started_login {
  std::string id;
  std::string cookie;
};

started_login start_browser_login(const parleyd_process& server) {
  auto client = client_for(server);
  auto response = client.get("/api/v1/auth/saml/login");
  INFO(response.describe());
  REQUIRE(response.status == 302);
  auto set_cookie = response.header("set-cookie");
  INFO(set_cookie);
  std::smatch match;
  REQUIRE(std::regex_search(set_cookie, match,
                            std::regex{"^(parley_sso_request=_[0-9a-f]{32}); Max-Age=600; Path=/api/v1/auth/saml/acs; "
                                       "Secure; HttpOnly; SameSite=None$"}));
  started_login started{{}, match[1].str()};
  std::smatch id;
  REQUIRE(std::regex_search(started.cookie, id, std::regex{"=(_[0-9a-f]{32})$"}));
  started.id = id[1];
  return started;
}

std::string start_login(const parleyd_process& server) {
  auto client = client_for(server);
  auto response = client.get("/api/v1/auth/saml/login");
  INFO(response.describe());
  REQUIRE(response.status == 302);
  auto location = response.header("location");
  REQUIRE(location.rfind("https://idp.example.test/sso?SAMLRequest=", 0) == 0);
  auto encoded = location.substr(location.find("SAMLRequest=") + 12);
  encoded = encoded.substr(0, encoded.find('&'));
  auto xml = inflate_raw(unbase64(url_decode(encoded)));
  INFO(xml);
  CHECK(xml.find(std::string("AssertionConsumerServiceURL=\"") + acs_url + "\"") != std::string::npos);
  CHECK(xml.find(std::string("<saml:Issuer>") + sp_entity + "</saml:Issuer>") != std::string::npos);
  std::smatch match;
  REQUIRE(std::regex_search(xml, match, std::regex{"ID=\"(_[0-9a-f]{32})\""}));
  return match[1];
}

struct assertion_spec {
  std::string in_response_to;
  std::string assertion_id = "_a" + std::to_string(std::rand());
  std::string name_id = "alice@example.com";
  std::string role = "admin";
  std::string audience = sp_entity;
  std::string recipient = acs_url;
  int64_t not_before = unix_time_now() - 60;
  int64_t not_on_or_after = unix_time_now() + 300;
  bool sign = true;
  bool sha1 = false; // sign with RSA-SHA1 and a SHA-1 digest (refused)
};

std::string response_xml(const assertion_spec& a) {
  std::string signature_template = a.sign ? R"(<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#)" + a.assertion_id + R"("><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>)"
                                          : "";
  if (a.sha1) {
    auto swap = [&](std::string_view from, std::string_view to) {
      if (auto at = signature_template.find(from); at != std::string::npos)
        signature_template.replace(at, from.size(), to);
    };
    swap("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2000/09/xmldsig#rsa-sha1");
    swap("http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2000/09/xmldsig#sha1");
  }
  return std::string(R"(<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r)") + a.assertion_id + R"(" Version="2.0" IssueInstant=")" + iso(unix_time_now()) + R"(" Destination=")" + acs_url + R"(" InResponseTo=")" + a.in_response_to + R"("><saml:Issuer>)" + idp_entity + R"(</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID=")" + a.assertion_id + R"(" Version="2.0" IssueInstant=")" + iso(unix_time_now()) + R"("><saml:Issuer>)" + idp_entity + "</saml:Issuer>" + signature_template + R"(<saml:Subject><saml:NameID>)" + a.name_id + R"(</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo=")" + a.in_response_to + R"(" NotOnOrAfter=")" + iso(a.not_on_or_after) + R"(" Recipient=")" + a.recipient + R"("/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore=")" + iso(a.not_before) + R"(" NotOnOrAfter=")" + iso(a.not_on_or_after) + R"("><saml:AudienceRestriction><saml:Audience>)" + a.audience + R"(</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant=")" + iso(unix_time_now()) + R"("><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue>)" + a.role + R"(</saml:AttributeValue></saml:Attribute><saml:Attribute Name="displayName"><saml:AttributeValue>Alice Example</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>)";
}

/// The response XML, signed over the assertion with the IdP key when the spec asks for it.
std::string build_response(const idp_keys& idp, const assertion_spec& a) {
  auto xml = response_xml(a);
  if (!a.sign)
    return xml;
  auto in = idp.dir / (a.assertion_id + ".xml");
  auto out = idp.dir / (a.assertion_id + ".signed.xml");
  std::ofstream{in} << xml;
  auto command = "xmlsec1 --sign --privkey-pem " + idp.key.string() + "," + idp.cert.string()
                 + " --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion --output " + out.string() + " "
                 + in.string() + " 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  return read_file(out);
}

http_response post_acs(const parleyd_process& server, const std::string& xml) {
  auto client = client_for(server);
  return client.request("POST", "/api/v1/auth/saml/acs", "SAMLResponse=" + url_encode(base64(xml)) + "&RelayState=",
                        {}, "application/x-www-form-urlencoded");
}

void check_refused(const http_response& response, std::string_view reason) {
  INFO(response.describe());
  CHECK(has_error(response, "unauthenticated"));
  CHECK(response.body.find(reason) != std::string::npos);
  CHECK_FALSE(response.json().contains("token"));
}

parleyd_options saml_server(const idp_keys& idp) {
  return security_server({"--saml-idp-entity-id=" + std::string(idp_entity), "--saml-idp-sso-url=https://idp.example.test/sso",
                          "--saml-idp-cert=" + idp.cert.string(), "--saml-sp-entity-id=" + std::string(sp_entity),
                          "--saml-acs-url=" + std::string(acs_url)});
}

} // namespace

TEST_CASE("SAML sign-in: a signed assertion answering our request signs the user in, provisioned with its role",
          "[security][saml]") {
  idp_keys idp;
  parleyd_process server(saml_server(idp));
  auto client = client_for(server);

  auto metadata = client.get("/api/v1/auth/saml/metadata");
  INFO(metadata.describe());
  REQUIRE(metadata.status == 200);
  CHECK(metadata.header("content-type") == "application/samlmetadata+xml");
  CHECK(metadata.body.find(std::string("entityID=\"") + sp_entity + "\"") != std::string::npos);
  CHECK(metadata.body.find(std::string("Location=\"") + acs_url + "\"") != std::string::npos);

  assertion_spec spec;
  spec.in_response_to = start_login(server);
  auto signed_xml = build_response(idp, spec);
  auto accepted = post_acs(server, signed_xml);
  INFO(accepted.describe());
  REQUIRE(accepted.status == 200);
  auto body = accepted.json();
  CHECK(body["user"]["username"] == "alice.example.com");
  CHECK(body["user"]["display_name"] == "Alice Example");
  const auto token = body["token"].get<std::string>();
  hello_client(server, token);
  // role=admin maps to admin rights.
  CHECK(client.get("/api/v1/admin/org/security-policy", {bearer(token)}).status == 200);

  // The same assertion again is refused (replay), even for a fresh request.
  check_refused(post_acs(server, signed_xml), "SAML sign-in refused");
  assertion_spec replay = spec;
  replay.in_response_to = start_login(server);
  check_refused(post_acs(server, build_response(idp, replay)), "already used");

  // The next sign-in with role=member takes admin rights away, same account.
  assertion_spec member;
  member.in_response_to = start_login(server);
  member.role = "member";
  auto again = post_acs(server, build_response(idp, member));
  INFO(again.describe());
  REQUIRE(again.status == 200);
  CHECK(again.json()["user"]["id"] == body["user"]["id"]);
  CHECK(has_error(client.get("/api/v1/admin/org/security-policy", {bearer(again.json()["token"].get<std::string>())}),
                  "forbidden"));
}

TEST_CASE("SAML sign-in in a browser: the ACS hands the sign-in over with a one-time HttpOnly cookie, never a URL",
          "[security][saml]") {
  idp_keys idp;
  parleyd_process server(saml_server(idp));
  auto client = client_for(server);
  const header_list browser{{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}};
  auto post_acs_as_browser = [&](const std::string& xml, const std::string& request_cookie) {
    auto headers = browser;
    if (!request_cookie.empty())
      headers.emplace_back("Cookie", request_cookie);
    return client.request("POST", "/api/v1/auth/saml/acs", "SAMLResponse=" + url_encode(base64(xml)) + "&RelayState=",
                          headers, "application/x-www-form-urlencoded");
  };

  // Login CSRF: a response to someone else's request, posted through this browser (which started
  // no sign-in, or another one), signs nobody in here.
  auto attacker = start_browser_login(server);
  auto victim = start_browser_login(server);
  assertion_spec attackers;
  attackers.in_response_to = attacker.id;
  for (const std::string& cookie : {std::string{}, victim.cookie}) {
    auto forced = post_acs_as_browser(build_response(idp, attackers), cookie);
    INFO(forced.describe());
    CHECK(forced.status == 303);
    CHECK(forced.header("location") == "/signin?sso_error=unauthenticated");
    CHECK(forced.header("set-cookie").empty());
  }

  assertion_spec spec;
  auto started = start_browser_login(server);
  spec.in_response_to = started.id;
  auto handed = post_acs_as_browser(build_response(idp, spec), started.cookie);
  INFO(handed.describe());
  REQUIRE(handed.status == 303);
  CHECK(handed.header("location") == "/signin/sso");
  CHECK(handed.body.find("token") == std::string::npos);
  auto set_cookie = handed.header("set-cookie");
  INFO(set_cookie);
  std::smatch match;
  REQUIRE(std::regex_search(set_cookie, match, std::regex{"^parley_sso=([A-Za-z0-9_-]{43}); Max-Age=120; "
                                                          "Path=/api/v1/auth/saml/session; Secure; HttpOnly; SameSite=Lax$"}));
  const std::string cookie = "parley_sso=" + match[1].str();

  // Without the cookie, or with another value, there is nothing to take.
  CHECK(has_error(client.request("POST", "/api/v1/auth/saml/session", "", {}), "unauthenticated"));
  CHECK(has_error(client.request("POST", "/api/v1/auth/saml/session", "", {{"Cookie", "parley_sso=" + std::string(43, 'A')}}),
                  "unauthenticated"));
  CHECK(client.get("/api/v1/auth/saml/session").status == 405);

  // The cookie's code gives the sign-in once, and the answer clears the cookie.
  auto taken = client.request("POST", "/api/v1/auth/saml/session", "", {{"Cookie", "theme=dark; " + cookie}});
  INFO(taken.describe());
  REQUIRE(taken.status == 200);
  CHECK(taken.json()["user"]["username"] == "alice.example.com");
  CHECK(taken.header("set-cookie").rfind("parley_sso=; Max-Age=0;", 0) == 0);
  hello_client(server, taken.json()["token"].get<std::string>());
  CHECK(has_error(client.request("POST", "/api/v1/auth/saml/session", "", {{"Cookie", cookie}}), "unauthenticated"));

  // A refused assertion sends the browser back to sign-in with the error code alone.
  auto replayed = post_acs_as_browser(build_response(idp, spec), started.cookie);
  INFO(replayed.describe());
  CHECK(replayed.status == 303);
  CHECK(replayed.header("location") == "/signin?sso_error=unauthenticated");
  CHECK(replayed.header("set-cookie").empty());
}

TEST_CASE("SAML sign-in refuses unsigned, tampered, expired, misaddressed and unsolicited assertions",
          "[security][saml]") {
  idp_keys idp;
  parleyd_process server(saml_server(idp));

  assertion_spec unsigned_spec;
  unsigned_spec.in_response_to = start_login(server);
  unsigned_spec.sign = false;
  check_refused(post_acs(server, build_response(idp, unsigned_spec)), "not signed");

  assertion_spec tampered;
  tampered.in_response_to = start_login(server);
  tampered.role = "member";
  auto xml = build_response(idp, tampered);
  auto at = xml.find("<saml:AttributeValue>member<");
  REQUIRE(at != std::string::npos);
  xml.replace(at, std::string("<saml:AttributeValue>member<").size(), "<saml:AttributeValue>admin<");
  check_refused(post_acs(server, xml), "signature");

  assertion_spec expired;
  expired.in_response_to = start_login(server);
  expired.not_before = unix_time_now() - 3600;
  expired.not_on_or_after = unix_time_now() - 600;
  check_refused(post_acs(server, build_response(idp, expired)), "expired");

  assertion_spec audience;
  audience.in_response_to = start_login(server);
  audience.audience = "some-other-service";
  check_refused(post_acs(server, build_response(idp, audience)), "Audience");

  assertion_spec recipient;
  recipient.in_response_to = start_login(server);
  recipient.recipient = "https://evil.example.test/acs";
  check_refused(post_acs(server, build_response(idp, recipient)), "Recipient");

  assertion_spec unsolicited;
  unsolicited.in_response_to = "_00000000000000000000000000000000";
  check_refused(post_acs(server, build_response(idp, unsolicited)), "InResponseTo");

  // A valid signature by the IdP's own key, but over SHA-1.
  assertion_spec sha1;
  sha1.in_response_to = start_login(server);
  sha1.sha1 = true;
  check_refused(post_acs(server, build_response(idp, sha1)), "SHA-1");

  // Another key than the configured IdP's.
  idp_keys impostor;
  assertion_spec forged;
  forged.in_response_to = start_login(server);
  check_refused(post_acs(server, build_response(impostor, forged)), "signature");

  // Garbage never crashes the server.
  auto client = client_for(server);
  auto junk = client.request("POST", "/api/v1/auth/saml/acs", "SAMLResponse=%%%%&x", {}, "application/x-www-form-urlencoded");
  CHECK(has_error(junk, "unauthenticated"));
  auto doctype = post_acs(server, "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>");
  CHECK(has_error(doctype, "unauthenticated"));
  // And a proper one still works afterwards.
  assertion_spec good;
  good.in_response_to = start_login(server);
  good.name_id = "bob@example.com";
  good.role = "member";
  auto ok = post_acs(server, build_response(idp, good));
  INFO(ok.describe());
  CHECK(ok.status == 200);
}
