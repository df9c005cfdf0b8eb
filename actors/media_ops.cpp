// Media ops are decided by the meeting's router (or by the connection's private echo-test
// router); the session only checks that it is in a meeting or an echo test.
#include "actors/media_ops.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/media_messages.hpp"
#include "actors/media_router.hpp"
#include "actors/meeting_codec.hpp"
#include "actors/service_error.hpp"

namespace parley::actors {

namespace {

constexpr auto ask_timeout = std::chrono::seconds{15};

void reply_with(session_actor* self, std::optional<uint64_t> id, caf::error& err) {
  auto client = to_client_error(err);
  self->state.reply_error(id, client.code, client.message);
}

void op_media(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, req.args);
  // An echo test in progress takes the media ops: it is this connection's own room of one,
  // where every track may be sent (no host, no mutes) and only this connection listens.
  if (st.echo_router) {
    self->request(st.echo_router, ask_timeout, rt_request_atom::value, req.op, st.echo_participant_id, true, true,
                  to_packed(buffer))
      .await([self, id = req.id](const std::vector<uint8_t>& result) { self->state.reply_ok(id, result); },
             [self, id = req.id](caf::error& err) { reply_with(self, id, err); });
    return;
  }
  if (!st.meeting) {
    st.reply_error(req.id, protocol::error_code::forbidden, "join a meeting (or start an echo test) first");
    return;
  }
  self->request(st.meeting, ask_timeout, mt_media_atom::value, req.op, st.participant_id, to_packed(buffer))
    .await([self, id = req.id](const std::vector<uint8_t>& result) { self->state.reply_ok(id, result); },
           [self, id = req.id](caf::error& err) { reply_with(self, id, err); });
}

/// media.echo_test.start {} → {participant_id}: a private room where this connection's published
/// tracks can be subscribed by itself alone, to see and hear itself through the SFU.
void op_echo_start(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (!st.ctx->media) {
    st.reply_error(req.id, protocol::error_code::unavailable, "this node runs no media workers");
    return;
  }
  if (st.echo_router) {
    st.reply_error(req.id, protocol::error_code::conflict, "an echo test is already running on this connection");
    return;
  }
  if (st.meeting) {
    st.reply_error(req.id, protocol::error_code::conflict, "leave the meeting before starting an echo test");
    return;
  }
  st.echo_participant_id = accounts::random_id();
  st.echo_router = spawn_echo_router(self, st.ctx, accounts::random_id());
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(1);
  pk.pack("participant_id");
  pk.pack(accounts::id_to_hex(st.echo_participant_id));
  st.reply_ok(req.id, to_packed(buffer));
}

/// media.echo_test.stop {} → {}: ends the echo test with its transport, producers and consumers.
void op_echo_stop(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (!st.echo_router) {
    st.reply_error(req.id, protocol::error_code::not_found, "no echo test is running on this connection");
    return;
  }
  self->send_exit(st.echo_router, caf::exit_reason::user_shutdown);
  st.echo_router = nullptr;
  st.echo_participant_id = 0;
  st.reply_ok(req.id, protocol::empty_map());
}

} // namespace

void add_media_ops(op_table& table) {
  for (auto op : {"media.negotiate", "media.publish", "media.unpublish", "media.subscribe", "media.unsubscribe",
                  "media.consumer.update", "media.producers", "media.stats"})
    table.emplace(op, op_entry{op_media});
  table.emplace("media.echo_test.start", op_entry{op_echo_start});
  table.emplace("media.echo_test.stop", op_entry{op_echo_stop});
}

} // namespace parley::actors
