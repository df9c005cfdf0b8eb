// Session: decode → rate limit → authenticate → dispatch by op name → reply through the sink.
#include "actors/session.hpp"

#include <map>
#include <string>

#include <caf/all.hpp>

#include "actors/account_closing_messages.hpp"
#include "actors/credential_limits.hpp"
#include "actors/meeting_messages.hpp"
#include "actors/meeting_ops.hpp"
#include "actors/session_messages.hpp"
#include "actors/session_ops.hpp"
#include "actors/shared_frame.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
/// WebSocket close code (policy violation) for a connection whose account was disabled or deleted.
constexpr uint16_t account_closed_code = 1008;

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
  const auto& table = session_op_table();
  auto it = table.find(req.op);
  // Before hello every op but hello is refused alike, so the op list is not revealed.
  if (!st.user && (it == table.end() || it->second.needs_auth)) {
    st.reply_error(req.id, error_code::unauthenticated, "send auth.hello with a token first");
    return;
  }
  if (it == table.end()) {
    st.reply_error(req.id, error_code::unknown_op, "unknown op '" + req.op + "'");
    return;
  }
  if (auto refusal = credential_refusal(st, req)) {
    st.reply_error(req.id, error_code::forbidden, *refusal);
    return;
  }
  it->second.handler(self, req);
}

/// The account was disabled or deleted: say so, close the connection, and from now on do nothing
/// but end when the connection is gone (frames still arriving are dropped).
void close_for_account(session_actor* self, const std::string& reason, const std::string& message) {
  auto& st = self->state;
  // A disabled account is refused (forbidden); a deleted one no longer exists (unauthenticated).
  const auto code = reason == "account_disabled" ? error_code::forbidden : error_code::unauthenticated;
  st.push_event("session.closed", protocol::pack(std::map<std::string, std::string>{
                                    {"code", std::string{protocol::to_string(code)}},
                                    {"reason", reason},
                                    {"message", message}}));
  st.sink->close(account_closed_code, reason);
  self->set_default_handler(caf::drop);
  self->become([self](disconnected_atom) {
    leave_meeting_on_disconnect(self);
    self->quit();
  });
}

caf::behavior session(session_actor* self, std::shared_ptr<const node_context> ctx,
                      std::shared_ptr<outbound_sink> sink, std::string remote_address) {
  auto& st = self->state;
  st.limiter.emplace(ctx->sessions.ops_per_second, ctx->sessions.ops_burst);
  st.ctx = std::move(ctx);
  st.sink = std::move(sink);
  st.remote_address = std::move(remote_address);
  self->set_down_handler([self](caf::down_msg& msg) { on_meeting_down(self, msg); });
  return {
    [self](frame_atom, const std::vector<uint8_t>& frame) { handle_frame(self, frame); },
    [self](text_frame_atom) {
      self->state.reply_error(std::nullopt, error_code::bad_request,
                              "text frames are not part of the protocol; send binary msgpack");
    },
    [self](disconnected_atom) {
      leave_meeting_on_disconnect(self);
      self->quit();
    },
    [self](mt_event_atom, const std::string& name, const std::vector<uint8_t>& data) {
      self->state.push_event(name, data);
    },
    [self](mt_frame_atom, const shared_frame& frame) { self->state.sink->send_shared(frame.bytes); },
    [self](mt_frames_atom, const std::vector<shared_frame>& frames) {
      for (const auto& frame : frames)
        self->state.sink->send_shared(frame.bytes);
    },
    [self](mt_detach_atom, uint64_t participant_id) { detach_from_meeting(self, participant_id); },
    [self](session_close_atom, const std::string& reason, const std::string& message) {
      close_for_account(self, reason, message);
    },
  };
}

} // namespace

caf::actor spawn_session(caf::actor_system& system, std::shared_ptr<const node_context> ctx,
                         std::shared_ptr<outbound_sink> sink, std::string remote_address) {
  return system.spawn(session, std::move(ctx), std::move(sink), std::move(remote_address));
}

} // namespace parley::actors
