// Session: decode → rate limit → authenticate → dispatch by op name → reply through the sink.
#include "actors/session.hpp"

#include <optional>
#include <string_view>
#include <unordered_map>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "actors/rate_limiter.hpp"
#include "actors/session_messages.hpp"
#include "protocol/envelope.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;

struct session_state {
  std::shared_ptr<const node_context> ctx;
  std::shared_ptr<outbound_sink> sink;
  std::string remote_address;
  std::optional<accounts::user_profile> user;
  std::string session_id;
  std::optional<rate_limiter> limiter;
  static inline const char* name = "parley.session";

  void reply_error(std::optional<uint64_t> id, error_code code, std::string_view message) {
    sink->send(protocol::encode_error(id, code, message));
  }
  void reply_ok(std::optional<uint64_t> id, const protocol::packed& result) {
    sink->send(protocol::encode_ok(id, result));
  }
};

using session_actor = caf::stateful_actor<session_state>;
using op_handler = void (*)(session_actor*, protocol::request&);

msgpack::sbuffer user_map(const accounts::user_profile& user) {
  msgpack::sbuffer buffer;
  msgpack::packer pk(buffer);
  pk.pack_map(3);
  pk.pack("id");
  pk.pack(accounts::id_to_hex(user.id));
  pk.pack("username");
  pk.pack(user.username);
  pk.pack("display_name");
  pk.pack(user.display_name);
  return buffer;
}

void op_auth_hello(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (st.user) {
    st.reply_error(req.id, error_code::bad_request, "this connection is already authenticated");
    return;
  }
  auto token = protocol::string_field(req.args, "token");
  if (!token) {
    st.reply_error(req.id, error_code::bad_request, "args.token (string) is required");
    return;
  }
  const auto invalid = "invalid, expired or revoked token; sign in again";
  if (!accounts::looks_like_token(*token)) {
    st.reply_error(req.id, error_code::unauthenticated, invalid);
    return;
  }
  accounts::account_repository repository{*st.ctx->db};
  auto record = repository.find_token(accounts::token_digest(*token));
  if (!record || record->expires_at <= accounts::unix_now()) {
    st.reply_error(req.id, error_code::unauthenticated, invalid);
    return;
  }
  auto user = repository.find_by_id(record->user_id);
  if (!user || user->disabled) {
    st.reply_error(req.id, error_code::unauthenticated, invalid);
    return;
  }
  st.user = user->profile();
  st.session_id = accounts::id_to_hex(accounts::random_id());
  msgpack::sbuffer buffer;
  msgpack::packer pk(buffer);
  pk.pack_map(2);
  pk.pack("user");
  auto user_bytes = user_map(*st.user);
  buffer.write(user_bytes.data(), user_bytes.size());
  pk.pack("session_id");
  pk.pack(st.session_id);
  st.reply_ok(req.id, protocol::packed(buffer.data(), buffer.data() + buffer.size()));
}

void op_sys_ping(session_actor* self, protocol::request& req) {
  static const auto empty = protocol::empty_map();
  self->state.reply_ok(req.id, empty);
}

struct op_entry {
  op_handler handler;
  bool needs_auth;
};

const std::unordered_map<std::string_view, op_entry>& op_table() {
  static const std::unordered_map<std::string_view, op_entry> table{
    {"auth.hello", {op_auth_hello, false}},
    {"sys.ping", {op_sys_ping, true}},
  };
  return table;
}

void handle_frame(session_actor* self, const std::vector<uint8_t>& frame) {
  auto& st = self->state;
  auto decoded = protocol::decode_request(frame);
  if (decoded.error) {
    st.reply_error(decoded.error->id, error_code::bad_request, decoded.error->message);
    return;
  }
  auto& req = *decoded.value;
  if (!st.limiter->try_acquire()) {
    st.reply_error(req.id, error_code::rate_limited, "too many requests on this connection; slow down");
    return;
  }
  const auto& table = op_table();
  auto it = table.find(req.op);
  if (it == table.end()) {
    st.reply_error(req.id, error_code::unknown_op, "unknown op '" + req.op + "'");
    return;
  }
  if (it->second.needs_auth && !st.user) {
    st.reply_error(req.id, error_code::unauthenticated, "send auth.hello with a token first");
    return;
  }
  it->second.handler(self, req);
}

caf::behavior session(session_actor* self, std::shared_ptr<const node_context> ctx,
                      std::shared_ptr<outbound_sink> sink, std::string remote_address) {
  auto& st = self->state;
  st.limiter.emplace(ctx->sessions.ops_per_second, ctx->sessions.ops_burst);
  st.ctx = std::move(ctx);
  st.sink = std::move(sink);
  st.remote_address = std::move(remote_address);
  return {
    [self](frame_atom, const std::vector<uint8_t>& frame) { handle_frame(self, frame); },
    [self](text_frame_atom) {
      self->state.reply_error(std::nullopt, error_code::bad_request,
                              "text frames are not part of the protocol; send binary msgpack");
    },
    [self](disconnected_atom) { self->quit(); },
  };
}

} // namespace

caf::actor spawn_session(caf::actor_system& system, std::shared_ptr<const node_context> ctx,
                         std::shared_ptr<outbound_sink> sink, std::string remote_address) {
  return system.spawn(session, std::move(ctx), std::move(sink), std::move(remote_address));
}

} // namespace parley::actors
