// REST routing and JSON (nlohmann) bodies; the work itself is done by the accounts service.
#include "net/rest_api.hpp"

#include <algorithm>
#include <span>

#include <nlohmann/json.hpp>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "actors/accounts_messages.hpp"
#include "actors/messaging_directory.hpp"
#include "actors/messaging_messages.hpp"
#include "messaging/image_record.hpp"
#include "messaging/image_type.hpp"
#include "protocol/envelope.hpp"
#include "storage/database.hpp"
#include "actors/admin_messages.hpp"
#include "actors/request_bridge.hpp"
#include "actors/service_error.hpp"
#include "actors/supervisor.hpp"
#include "accounts/account_repository.hpp"
#include "meetings/chat_export.hpp"
#include "meetings/meeting_id.hpp"
#include "meetings/meeting_repository.hpp"
#include "media/media_plane.hpp"
#include "net/security_routes.hpp"
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
  return json{{"id", accounts::id_to_hex(user.id)}, {"username", user.username}, {"display_name", user.display_name},
              {"is_admin", user.is_admin}};
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

/// The meeting id of `/api/v1/meetings/{id}/chat.txt`.
std::optional<std::string> meeting_chat_path(const std::string& path) {
  constexpr std::string_view prefix = "/api/v1/meetings/";
  constexpr std::string_view suffix = "/chat.txt";
  if (path.size() <= prefix.size() + suffix.size() || path.rfind(prefix, 0) != 0
      || path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  return path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
}

std::string path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

constexpr std::string_view conversations_prefix = "/api/v1/conversations/";

/// "/api/v1/conversations/{id}/images" or ".../images/{file_id}": the two ids (file_id 0 for uploads).
bool parse_image_path(std::string_view path, uint64_t& conversation, uint64_t& file) {
  path.remove_prefix(conversations_prefix.size());
  auto slash = path.find('/');
  if (slash == std::string_view::npos || !accounts::id_from_hex(path.substr(0, slash), conversation) || !conversation)
    return false;
  path.remove_prefix(slash);
  constexpr std::string_view images = "/images";
  if (path.rfind(images, 0) != 0)
    return false;
  path.remove_prefix(images.size());
  file = 0;
  if (path.empty())
    return true;
  return path.front() == '/' && accounts::id_from_hex(path.substr(1), file) && file != 0;
}

/// The signed-in user behind `Authorization: Bearer <token>` (in `user_id`), or the answer that refuses
/// the request. Tokens issued from an API key are refused with `forbidden`: no scope covers these
/// routes (a bot let into one meeting must not download its chat or a conversation's images).
std::optional<http_reply> bearer_refusal(storage::database& db, const std::string& authorization, uint64_t& user_id) {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.rfind(scheme, 0) != 0)
    return error_reply(error_code::unauthenticated, "send Authorization: Bearer <token>");
  auto token = std::string_view{authorization}.substr(scheme.size());
  const auto invalid = "invalid, expired or revoked token; sign in again";
  if (!accounts::looks_like_token(token))
    return error_reply(error_code::unauthenticated, invalid);
  accounts::account_repository repository{db};
  auto record = repository.find_token(accounts::token_digest(token));
  if (!record || record->expires_at <= accounts::unix_now())
    return error_reply(error_code::unauthenticated, invalid);
  auto user = repository.find_by_id(record->user_id);
  if (!user || user->disabled)
    return error_reply(error_code::unauthenticated, invalid);
  if (!record->scopes.empty())
    return error_reply(error_code::forbidden, "a token issued from an API key cannot use this route; its scopes "
                                              "cover only the meeting protocol");
  user_id = user->id;
  return std::nullopt;
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
  else if (auto id = meeting_chat_path(path))
    route("GET", [&] { done(meeting_chat_text(request, *id)); });
  else if (path.rfind(conversations_prefix, 0) == 0)
    conversation_image(request, path, done);
  else if (route_security(system_, *ctx_, request, path, done))
    return;
  else if (path.rfind("/api/v1/admin/", 0) == 0)
    admin(request, done);
  else
    done(error_reply(error_code::not_found, "no such resource: " + path));
}

size_t rest_api::body_limit_for(std::string_view target, size_t default_limit) const {
  uint64_t conversation = 0, file = 0;
  auto path = target.substr(0, target.find('?'));
  if (path.rfind(conversations_prefix, 0) == 0 && parse_image_path(path, conversation, file) && file == 0)
    return std::max(default_limit, messaging::max_image_bytes);
  return default_limit;
}

// POST .../images uploads one image (the raw bytes as the body); GET .../images/{file_id} serves it.
// Both only to members of the conversation, which its chat channel decides.
void rest_api::conversation_image(const http_request_view& request, std::string_view path, completion done) const {
  uint64_t conversation = 0, file = 0;
  if (!parse_image_path(path, conversation, file))
    return done(error_reply(error_code::not_found, "no such resource: " + std::string{path}));
  const char* method = file == 0 ? "POST" : "GET";
  if (request.method != method) {
    auto reply = error_reply(error_code::method_not_allowed, std::string{"use "} + method + " for " + std::string{path});
    reply.headers.emplace_back("Allow", method);
    return done(std::move(reply));
  }
  uint64_t user = 0;
  if (auto refusal = bearer_refusal(*ctx_->db, request.authorization, user))
    return done(std::move(*refusal));
  actors::im_command cmd;
  cmd.conversation = conversation;
  cmd.user = user;
  cmd.file_id = file;
  if (file == 0) {
    if (request.body.size() > messaging::max_image_bytes)
      return done(error_reply(error_code::payload_too_large, "an image may have at most "
                                                               + std::to_string(messaging::max_image_bytes) + " bytes"));
    auto mime = messaging::sniff_image_type(
      std::span{reinterpret_cast<const uint8_t*>(request.body.data()), request.body.size()});
    if (!mime)
      return done(error_reply(error_code::bad_request, "the body is not a PNG, JPEG, GIF or WebP image"));
    cmd.op = "image.upload";
    cmd.mime = std::string{*mime};
    cmd.data = request.body;
  } else
    cmd.op = "image.get";
  auto directory = actors::lookup_service(system_, actors::messaging_service_name);
  if (!directory)
    return done(error_reply(error_code::unavailable, "messaging is restarting; try again"));
  const bool upload = file == 0;
  actors::ask<std::vector<uint8_t>>(
    system_, directory, service_timeout,
    [done, upload](std::vector<uint8_t> result) {
      try {
        auto handle = msgpack::unpack(reinterpret_cast<const char*>(result.data()), result.size());
        const auto& root = handle.get();
        if (upload) {
          json body = json::object();
          for (auto field : {"file_id", "mime"})
            body[field] = std::string{protocol::string_field(root, field).value_or("")};
          body["size"] = protocol::uint_field(root, "size").value_or(0);
          return done(json_reply(201, body));
        }
        auto mime = protocol::string_field(root, "mime");
        auto* data = protocol::find_field(root, "data");
        if (!mime || !data || data->type != msgpack::type::BIN)
          return done(error_reply(error_code::internal, "internal error"));
        http_reply reply;
        reply.content_type = std::string{*mime};
        reply.body.assign(data->via.bin.ptr, data->via.bin.size);
        return done(std::move(reply));
      } catch (const std::exception&) {
        return done(error_reply(error_code::internal, "internal error"));
      }
    },
    [done](const caf::error& err) { done(from_caf_error(err)); }, actors::im_route_atom::value, std::move(cmd));
}

http_reply rest_api::healthz() const {
  return json_reply(200, json{{"status", "ok"}, {"version", PARLEY_VERSION}, {"node", ctx_->node_id}});
}

http_reply rest_api::metrics() const {
  http_reply reply;
  reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
  reply.body = ctx_->metrics->registry.render_prometheus();
  if (ctx_->media)
    reply.body += ctx_->media->render_quality_metrics(); // per-transport quality, by number only
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
    [done](actors::login_grant grant) { done(json_reply(200, login_grant_json(grant))); },
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

http_reply rest_api::meeting_chat_text(const http_request_view& request, const std::string& meeting_id) const {
  constexpr size_t max_messages = 50000;
  uint64_t user = 0;
  if (auto refusal = bearer_refusal(*ctx_->db, request.authorization, user))
    return std::move(*refusal);
  auto id = meetings::parse_meeting_id(meeting_id);
  if (!id)
    id = meetings::parse_pmi(meeting_id);
  if (!id)
    return error_reply(error_code::bad_request, "the path needs an 11-digit meeting id");
  meetings::meeting_repository repository{*ctx_->db};
  auto record = repository.find(*id);
  if (!record)
    return error_reply(error_code::not_found, "no meeting with that id");
  if (record->host_id != user)
    return error_reply(error_code::forbidden, "only the meeting's host may save its chat");
  http_reply reply;
  reply.content_type = "text/plain; charset=utf-8";
  reply.body = meetings::chat_as_text(*record, repository.chat_all(*id, user, max_messages));
  reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"chat-" + meetings::meeting_id_to_string(*id) + ".txt\"");
  return reply;
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
