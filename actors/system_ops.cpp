// Ops every connection has: auth.hello (authenticate with a token) and sys.ping.
#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "actors/media_ops.hpp"
#include "actors/meeting_ops.hpp"
#include "actors/messaging_ops.hpp"
#include "actors/session_ops.hpp"
#include "actors/user_codec.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;

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
  if (!record && hello_as_guest(self, req, *token))
    return;
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
  st.credential_limited = !record->scopes.empty();
  st.credential_scopes = record->scopes;
  st.credential_meeting = record->meeting_id;
  st.session_id = accounts::id_to_hex(accounts::random_id());
  attach_to_inbox(self);
  msgpack::sbuffer buffer;
  msgpack::packer pk(buffer);
  pk.pack_map(2);
  pk.pack("user");
  pack_user(pk, *st.user);
  pk.pack("session_id");
  pk.pack(st.session_id);
  st.reply_ok(req.id, protocol::packed(buffer.data(), buffer.data() + buffer.size()));
}

void op_sys_ping(session_actor* self, protocol::request& req) {
  static const auto empty = protocol::empty_map();
  self->state.reply_ok(req.id, empty);
}

} // namespace

void add_system_ops(op_table& table) {
  table.emplace("auth.hello", op_entry{op_auth_hello, false});
  table.emplace("sys.ping", op_entry{op_sys_ping, true});
}

const op_table& session_op_table() {
  static const op_table table = [] {
    op_table t;
    add_system_ops(t);
    add_meeting_ops(t);
    add_media_ops(t);
    add_messaging_ops(t);
    return t;
  }();
  return table;
}

} // namespace parley::actors
