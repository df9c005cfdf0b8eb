// REST routing and JSON (nlohmann) bodies; the work itself is done by the accounts service.
#include "net/rest_api.hpp"

#include <nlohmann/json.hpp>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "actors/accounts_messages.hpp"
#include "actors/admin_messages.hpp"
#include "actors/request_bridge.hpp"
#include "actors/service_error.hpp"
#include "actors/supervisor.hpp"
#include "telemetry/node_metrics.hpp"

namespace parley::net {

namespace {

using nlohmann::json;
using protocol::error_code;
constexpr auto service_timeout = std::chrono::milliseconds{30000};

http_reply json_reply(unsigned status, const json& body) {
  http_reply reply;
  reply.status = status;
  reply.body = body.dump();
  return reply;
}

json user_json(const accounts::user_profile& user) {
  return json{{"id", accounts::id_to_hex(user.id)}, {"username", user.username}, {"display_name", user.display_name}};
}

http_reply from_caf_error(const caf::error& err) {
  auto client = actors::to_client_error(err);
  auto reply = error_reply(client.code, client.message);
  if (client.retry_after > 0)
    reply.headers.emplace_back("Retry-After", std::to_string(client.retry_after));
  return reply;
}

/// Parses a JSON object body; nullopt (and an error reply) when it is not one.
std::optional<json> parse_object(const std::string& body, http_reply& error) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    error = error_reply(error_code::bad_request, "the body must be a JSON object");
    return std::nullopt;
  }
  return parsed;
}

bool read_string(const json& object, const char* field, std::string& out, bool required = true) {
  auto it = object.find(field);
  if (it == object.end())
    return !required;
  if (!it->is_string())
    return false;
  out = it->get<std::string>();
  return true;
}

std::string path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

} // namespace

http_reply error_reply(error_code code, std::string_view message) {
  return json_reply(protocol::http_status(code),
                    json{{"error", {{"code", protocol::to_string(code)}, {"message", message}}}});
}

rest_api::rest_api(caf::actor_system& system, std::shared_ptr<const actors::node_context> ctx)
  : system_(system), ctx_(std::move(ctx)) {
}

void rest_api::handle(const http_request_view& request, completion done) const {
  auto path = path_of(request.target);
  auto route = [&](const char* method, auto&& handler) {
    if (request.method != method) {
      auto reply = error_reply(error_code::method_not_allowed, "use " + std::string{method} + " for " + path);
      reply.headers.emplace_back("Allow", method);
      done(std::move(reply));
      return;
    }
    handler();
  };
  if (path == "/healthz")
    route("GET", [&] { done(healthz()); });
  else if (path == "/metrics")
    route("GET", [&] { done(metrics()); });
  else if (path == "/api/v1/auth/register")
    route("POST", [&] { auth_register(request, done); });
  else if (path == "/api/v1/auth/login")
    route("POST", [&] { auth_login(request, done); });
  else if (path == "/api/v1/auth/logout")
    route("POST", [&] { auth_logout(request, done); });
  else if (path.rfind("/api/v1/admin/", 0) == 0)
    admin(request, done);
  else
    done(error_reply(error_code::not_found, "no such resource: " + path));
}

http_reply rest_api::healthz() const {
  return json_reply(200, json{{"status", "ok"}, {"version", PARLEY_VERSION}, {"node", ctx_->node_id}});
}

http_reply rest_api::metrics() const {
  http_reply reply;
  reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
  reply.body = ctx_->metrics->registry.render_prometheus();
  return reply;
}

void rest_api::auth_register(const http_request_view& request, completion done) const {
  http_reply error;
  auto body = parse_object(request.body, error);
  if (!body)
    return done(std::move(error));
  actors::registration req;
  if (!read_string(*body, "username", req.username) || !read_string(*body, "password", req.password)
      || !read_string(*body, "display_name", req.display_name, false))
    return done(error_reply(error_code::bad_request,
                            "username and password (strings) are required; display_name is an optional string"));
  auto accounts = actors::lookup_service(system_, actors::accounts_service_name);
  if (!accounts)
    return done(error_reply(error_code::unavailable, "the accounts service is restarting; try again"));
  actors::ask<accounts::user_profile>(
    system_, accounts, service_timeout,
    [done](accounts::user_profile user) { done(json_reply(201, json{{"user", user_json(user)}})); },
    [done](const caf::error& err) { done(from_caf_error(err)); }, actors::register_atom::value, std::move(req));
}

void rest_api::auth_login(const http_request_view& request, completion done) const {
  http_reply error;
  auto body = parse_object(request.body, error);
  if (!body)
    return done(std::move(error));
  actors::login_attempt req;
  if (!read_string(*body, "username", req.username) || !read_string(*body, "password", req.password))
    return done(error_reply(error_code::bad_request, "username and password (strings) are required"));
  if (req.username.size() > 256 || req.password.size() > 1024)
    return done(error_reply(error_code::unauthenticated, "wrong username or password"));
  req.address = request.remote_address;
  auto accounts = actors::lookup_service(system_, actors::accounts_service_name);
  if (!accounts)
    return done(error_reply(error_code::unavailable, "the accounts service is restarting; try again"));
  actors::ask<actors::login_grant>(
    system_, accounts, service_timeout,
    [done](actors::login_grant grant) {
      done(json_reply(200, json{{"token", grant.token}, {"expires_at", grant.expires_at}, {"user", user_json(grant.user)}}));
    },
    [done](const caf::error& err) { done(from_caf_error(err)); }, actors::login_atom::value, std::move(req));
}

void rest_api::auth_logout(const http_request_view& request, completion done) const {
  constexpr std::string_view scheme = "Bearer ";
  if (request.authorization.rfind(scheme, 0) != 0)
    return done(error_reply(error_code::unauthenticated, "send Authorization: Bearer <token>"));
  auto token = request.authorization.substr(scheme.size());
  auto accounts = actors::lookup_service(system_, actors::accounts_service_name);
  if (!accounts)
    return done(error_reply(error_code::unavailable, "the accounts service is restarting; try again"));
  actors::ask<caf::ok_atom>(
    system_, accounts, service_timeout,
    [done](caf::ok_atom) {
      http_reply reply;
      reply.status = 204;
      reply.content_type.clear();
      done(std::move(reply));
    },
    [done](const caf::error& err) { done(from_caf_error(err)); }, actors::logout_atom::value, std::move(token));
}

// The admin service authenticates and authorises; the edge only forwards the request.
void rest_api::admin(const http_request_view& request, completion done) const {
  constexpr std::string_view scheme = "Bearer ";
  if (request.authorization.rfind(scheme, 0) != 0)
    return done(error_reply(error_code::unauthenticated, "send Authorization: Bearer <token>"));
  actors::admin_request req;
  req.method = request.method;
  auto question = request.target.find('?');
  req.path = request.target.substr(0, question);
  if (question != std::string::npos)
    req.query = request.target.substr(question + 1);
  req.body = request.body;
  req.token = request.authorization.substr(scheme.size());
  req.address = request.remote_address;
  auto service = actors::lookup_service(system_, actors::admin_service_name);
  if (!service)
    return done(error_reply(error_code::unavailable, "the admin service is restarting; try again"));
  actors::ask<actors::admin_reply>(
    system_, service, service_timeout,
    [done](actors::admin_reply answer) {
      http_reply reply;
      reply.status = answer.status;
      reply.content_type = std::move(answer.content_type);
      reply.body = std::move(answer.body);
      done(std::move(reply));
    },
    [done](const caf::error& err) { done(from_caf_error(err)); }, actors::admin_atom::value, std::move(req));
}

} // namespace parley::net
