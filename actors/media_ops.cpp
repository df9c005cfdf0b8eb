// Media ops are decided by the meeting's router; the session only checks that it is in a meeting.
#include "actors/media_ops.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "actors/media_messages.hpp"
#include "actors/meeting_codec.hpp"
#include "actors/service_error.hpp"

namespace parley::actors {

namespace {

constexpr auto ask_timeout = std::chrono::seconds{15};

void op_media(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (!st.meeting) {
    st.reply_error(req.id, protocol::error_code::forbidden, "join a meeting first");
    return;
  }
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, req.args);
  self->request(st.meeting, ask_timeout, mt_media_atom::value, req.op, st.participant_id, to_packed(buffer))
    .await([self, id = req.id](const std::vector<uint8_t>& result) { self->state.reply_ok(id, result); },
           [self, id = req.id](caf::error& err) {
             auto client = to_client_error(err);
             self->state.reply_error(id, client.code, client.message);
           });
}

} // namespace

void add_media_ops(op_table& table) {
  for (auto op : {"media.negotiate", "media.publish", "media.unpublish", "media.subscribe", "media.unsubscribe",
                  "media.consumer.update", "media.producers", "media.stats"})
    table.emplace(op, op_entry{op_media});
}

} // namespace parley::actors
