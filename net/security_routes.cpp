// Thin translation: each route becomes an account_command for the accounts actor, which
// authenticates and authorises it; answers come back as JSON objects or login grants.
#include "net/security_routes.hpp"

#include <nlohmann/json.hpp>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "accounts/saml_sp.hpp"
#include "actors/accounts_messages.hpp"
#include "actors/request_bridge.hpp"
#include "actors/service_error.hpp"
#include "actors/supervisor.hpp"
#include "net/sso_handoff.hpp"

namespace parley::net {

namespace {

using nlohmann::json;
using protocol::error_code;
constexpr auto service_timeout = std::chrono::milliseconds{30000};

http_reply json_reply(unsigned status, std::string body) {
  http_reply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

http_reply from_caf_error(const caf::error& err) {
  auto client = actors::to_client_error(err);
  auto reply = error_reply(client.code, client.message);
  if (client.retry_after > 0)
    reply.headers.emplace_back("Retry-After", std::to_string(client.retry_after));
  return reply;
}

std::string bearer_of(const http_request_view& request) {
  constexpr std::string_view scheme = "Bearer ";
  if (request.authorization.rfind(scheme, 0) != 0)
    return {};
  return request.authorization.substr(scheme.size());
}

actors::account_command command_for(const http_request_view& request, std::string action, std::string subject = {}) {
  return actors::account_command{std::move(action), bearer_of(request), std::move(subject), request.body,
                                 request.remote_address};
}

void ask_json(caf::actor_system& system, actors::account_command cmd, const rest_api::completion& done) {
  auto accounts = actors::lookup_service(system, actors::accounts_service_name);
  if (!accounts)
    return done(error_reply(error_code::unavailable, "the accounts service is restarting; try again"));
  actors::ask<std::string>(
    system, accounts, service_timeout, [done](std::string body) { done(json_reply(200, std::move(body))); },
    [done](const caf::error& err) { done(from_caf_error(err)); }, actors::account_atom::value, std::move(cmd));
}

void ask_grant(caf::actor_system& system, actors::account_command cmd, const rest_api::completion& done) {
  auto accounts = actors::lookup_service(system, actors::accounts_service_name);
  if (!accounts)
    return done(error_reply(error_code::unavailable, "the accounts service is restarting; try again"));
  actors::ask<actors::login_grant>(
    system, accounts, service_timeout,
    [done](actors::login_grant grant) { done(json_reply(200, login_grant_json(grant).dump())); },
    [done](const caf::error& err) { done(from_caf_error(err)); }, actors::grant_atom::value, std::move(cmd));
}

constexpr std::string_view signed_scheme = "PARLEY-HMAC-SHA256 ";

/// `PARLEY-HMAC-SHA256 Credential=<key id>, Signature=<hex>` → the two values; false otherwise.
bool parse_signed_authorization(const std::string& header, std::string& key_id, std::string& signature) {
  if (header.rfind(signed_scheme, 0) != 0)
    return false;
  auto rest = std::string_view{header}.substr(signed_scheme.size());
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    if (item.rfind("Credential=", 0) == 0)
      key_id = std::string{item.substr(11)};
    else if (item.rfind("Signature=", 0) == 0)
      signature = std::string{item.substr(10)};
    if (comma == std::string_view::npos)
      break;
    rest.remove_prefix(comma + 1);
  }
  return !key_id.empty() && !signature.empty();
}

void ask_signed(caf::actor_system& system, const http_request_view& request, const std::string& path,
                std::string action, const rest_api::completion& done) {
  actors::signed_command cmd;
  if (!parse_signed_authorization(request.authorization, cmd.key_id, cmd.signature))
    return done(error_reply(error_code::unauthenticated,
                            "sign the request: Authorization: PARLEY-HMAC-SHA256 Credential=<key id>, Signature=<hex>"));
  cmd.action = std::move(action);
  cmd.method = request.method;
  cmd.path = path;
  auto question = request.target.find('?');
  cmd.query = question == std::string::npos ? std::string{} : request.target.substr(question + 1);
  cmd.body = request.body;
  cmd.timestamp = request.parley_date;
  cmd.nonce = request.parley_nonce;
  cmd.address = request.remote_address;
  auto accounts = actors::lookup_service(system, actors::accounts_service_name);
  if (!accounts)
    return done(error_reply(error_code::unavailable, "the accounts service is restarting; try again"));
  actors::ask<std::string>(
    system, accounts, service_timeout, [done](std::string body) { done(json_reply(200, std::move(body))); },
    [done](const caf::error& err) { done(from_caf_error(err)); }, actors::signed_atom::value, std::move(cmd));
}

/// "/api/v1/admin/users/NAME/unlock" → NAME and "unlock"; false if the shape differs.
bool split_admin_user_path(const std::string& path, std::string& username, std::string& rest) {
  constexpr std::string_view prefix = "/api/v1/admin/users/";
  if (path.rfind(prefix, 0) != 0)
    return false;
  auto tail = path.substr(prefix.size());
  auto slash = tail.find('/');
  if (slash == std::string::npos || slash == 0)
    return false;
  username = tail.substr(0, slash);
  rest = tail.substr(slash + 1);
  return true;
}

/// SAML sign-ins waiting for the web client to take them (this edge's memory only: a sign-in
/// not taken within two minutes, or across a restart, is simply started again).
sso_handoff& sso_handoffs() {
  static sso_handoff handoffs;
  return handoffs;
}

constexpr const char* sso_cookie = "parley_sso";
constexpr const char* sso_cookie_attributes = "; Path=/api/v1/auth/saml/session; Secure; HttpOnly; SameSite=Lax";
/// The AuthnRequest a browser started, sent back with the IdP's cross-site POST to the ACS only.
constexpr const char* sso_request_cookie = "parley_sso_request";
constexpr const char* sso_request_cookie_attributes =
  "; Max-Age=600; Path=/api/v1/auth/saml/acs; Secure; HttpOnly; SameSite=None";

http_reply see_other(const std::string& location) {
  http_reply reply;
  reply.status = 303;
  reply.content_type.clear();
  reply.headers.emplace_back("Location", location);
  reply.headers.emplace_back("Cache-Control", "no-store");
  return reply;
}

/// The ACS's answer for a browser: the sign-in goes into the hand-over under a one-time code in
/// an HttpOnly cookie, and the browser is sent on to the web client's /signin/sso, which takes
/// it with POST /api/v1/auth/saml/session. A refusal sends it to /signin?sso_error=<code>.
http_reply browser_handoff(http_reply answer) {
  if (answer.status != 200) {
    auto body = json::parse(answer.body, nullptr, false);
    std::string code = "unauthenticated";
    if (body.is_object() && body.contains("error") && body["error"].is_object() && body["error"].contains("code")
        && body["error"]["code"].is_string())
      code = body["error"]["code"].get<std::string>();
    return see_other("/signin?sso_error=" + code);
  }
  auto code = sso_handoffs().put(std::move(answer.body), accounts::unix_now());
  if (code.empty())
    return see_other("/signin?sso_error=rate_limited");
  auto reply = see_other("/signin/sso");
  reply.headers.emplace_back("Set-Cookie", std::string{sso_cookie} + "=" + code + "; Max-Age="
                                             + std::to_string(sso_handoff::lifetime_seconds) + sso_cookie_attributes);
  return reply;
}

} // namespace

nlohmann::json login_grant_json(const actors::login_grant& grant) {
  json body = json::object();
  if (!grant.token.empty()) {
    body["token"] = grant.token;
    body["expires_at"] = grant.expires_at;
  }
  if (!grant.mfa_challenge.empty()) {
    body[grant.mfa_enrolment_required ? "mfa_enrolment_required" : "mfa_required"] = true;
    body["challenge"] = grant.mfa_challenge;
    body["challenge_expires_at"] = grant.challenge_expires_at;
  }
  if (!grant.recovery_codes.empty())
    body["recovery_codes"] = grant.recovery_codes;
  body["user"] = json{{"id", accounts::id_to_hex(grant.user.id)},
                      {"username", grant.user.username},
                      {"display_name", grant.user.display_name},
                      {"is_admin", grant.user.is_admin}};
  return body;
}

bool route_security(caf::actor_system& system, const actors::node_context& ctx, const http_request_view& request,
                    const std::string& path, const rest_api::completion& done) {
  auto post_only = [&](auto&& handler) {
    if (request.method != "POST") {
      auto reply = error_reply(error_code::method_not_allowed, "use POST for " + path);
      reply.headers.emplace_back("Allow", "POST");
      return done(std::move(reply));
    }
    handler();
  };
  if (path == "/api/v1/auth/password") {
    post_only([&] { ask_json(system, command_for(request, "password.change"), done); });
    return true;
  }
  if (path == "/api/v1/auth/phone") {
    post_only([&] { ask_json(system, command_for(request, "phone.start"), done); });
    return true;
  }
  if (path == "/api/v1/auth/phone/verify") {
    post_only([&] { ask_json(system, command_for(request, "phone.verify"), done); });
    return true;
  }
  if (path == "/api/v1/auth/mfa/enroll") {
    post_only([&] { ask_json(system, command_for(request, "mfa.enroll"), done); });
    return true;
  }
  if (path == "/api/v1/auth/mfa/confirm") {
    post_only([&] { ask_grant(system, command_for(request, "mfa.confirm"), done); });
    return true;
  }
  if (path == "/api/v1/auth/mfa/verify") {
    post_only([&] { ask_grant(system, command_for(request, "mfa.verify"), done); });
    return true;
  }
  if (path == "/api/v1/auth/saml/metadata" || path == "/api/v1/auth/saml/login") {
    if (request.method != "GET") {
      auto reply = error_reply(error_code::method_not_allowed, "use GET for " + path);
      reply.headers.emplace_back("Allow", "GET");
      done(std::move(reply));
    } else if (!ctx.accounts.saml.enabled()) {
      done(error_reply(error_code::not_found, "SAML sign-in is not configured on this server"));
    } else if (path == "/api/v1/auth/saml/metadata") {
      http_reply reply;
      reply.content_type = "application/samlmetadata+xml";
      reply.body = accounts::sp_metadata(ctx.accounts.saml);
      done(std::move(reply));
    } else {
      ask_json(system, command_for(request, "saml.login"), [done](http_reply reply) {
        auto body = json::parse(reply.body, nullptr, false);
        if (reply.status == 200 && body.is_object() && body.contains("redirect") && body.contains("request_id")) {
          http_reply redirect;
          redirect.status = 302;
          redirect.content_type.clear();
          redirect.headers.emplace_back("Location", body["redirect"].get<std::string>());
          redirect.headers.emplace_back("Set-Cookie", std::string{sso_request_cookie} + "="
                                                        + body["request_id"].get<std::string>()
                                                        + sso_request_cookie_attributes);
          redirect.headers.emplace_back("Cache-Control", "no-store");
          return done(std::move(redirect));
        }
        done(std::move(reply));
      });
    }
    return true;
  }
  if (path == "/api/v1/auth/saml/acs") {
    post_only([&] {
      if (request.accept.find("text/html") == std::string::npos)
        return ask_grant(system, command_for(request, "saml.acs"), done);
      // A browser's sign-in is bound to the request that browser started (its cookie).
      ask_grant(system, command_for(request, "saml.acs_browser", cookie_value(request.cookie, sso_request_cookie)),
                [done](http_reply reply) { done(browser_handoff(std::move(reply))); });
    });
    return true;
  }
  if (path == "/api/v1/auth/saml/session") {
    post_only([&] {
      if (!ctx.accounts.saml.enabled())
        return done(error_reply(error_code::not_found, "SAML sign-in is not configured on this server"));
      auto answer = sso_handoffs().take(cookie_value(request.cookie, sso_cookie), accounts::unix_now());
      http_reply reply = answer ? json_reply(200, std::move(*answer))
                                : error_reply(error_code::unauthenticated,
                                              "no single sign-on to finish: it was already taken, is older than 2 "
                                              "minutes, or the server restarted; sign in with SSO again");
      reply.headers.emplace_back("Set-Cookie", std::string{sso_cookie} + "=; Max-Age=0" + sso_cookie_attributes);
      reply.headers.emplace_back("Cache-Control", "no-store");
      done(std::move(reply));
    });
    return true;
  }
  if (path == "/api/v1/me") {
    if (request.method != "GET") {
      auto reply = error_reply(error_code::method_not_allowed, "use GET for " + path);
      reply.headers.emplace_back("Allow", "GET");
      done(std::move(reply));
    } else
      ask_signed(system, request, path, "me", done);
    return true;
  }
  if (path == "/api/v1/keys/temporary") {
    post_only([&] { ask_signed(system, request, path, "keys.temporary", done); });
    return true;
  }
  if (path == "/api/v1/auth/token") {
    post_only([&] { ask_signed(system, request, path, "auth.token", done); });
    return true;
  }
  if (path == "/api/v1/keys") {
    if (request.method == "GET")
      ask_json(system, command_for(request, "keys.list"), done);
    else if (request.method == "POST")
      ask_json(system, command_for(request, "keys.create"), done);
    else {
      auto reply = error_reply(error_code::method_not_allowed, "use GET or POST for " + path);
      reply.headers.emplace_back("Allow", "GET, POST");
      done(std::move(reply));
    }
    return true;
  }
  if (path.rfind("/api/v1/keys/", 0) == 0) {
    if (request.method != "DELETE") {
      auto reply = error_reply(error_code::method_not_allowed, "use DELETE for " + path);
      reply.headers.emplace_back("Allow", "DELETE");
      done(std::move(reply));
    } else
      ask_json(system, command_for(request, "keys.revoke", path.substr(13)), done);
    return true;
  }
  if (path == "/api/v1/admin/service-accounts") {
    post_only([&] { ask_json(system, command_for(request, "admin.service_account.create"), done); });
    return true;
  }
  std::string username, rest;
  if (split_admin_user_path(path, username, rest)) {
    // Unlock and the other user actions are the admin service's (rest_api routes them there).
    const char* action = rest == "mfa/reset"         ? "admin.mfa_reset"
                         : rest == "password/expire" ? "admin.expire_password"
                                                     : nullptr;
    if (!action)
      return false;
    post_only([&] { ask_json(system, command_for(request, action, username), done); });
    return true;
  }
  return false;
}

} // namespace parley::net
