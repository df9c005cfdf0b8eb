// The state of one session actor, shared by the files that implement its ops.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "accounts/user_record.hpp"
#include "actors/node_context.hpp"
#include "actors/outbound_sink.hpp"
#include "actors/rate_limiter.hpp"
#include "protocol/envelope.hpp"

namespace parley::actors {

struct session_state {
  std::shared_ptr<const node_context> ctx;
  std::shared_ptr<outbound_sink> sink;
  std::string remote_address;
  std::optional<accounts::user_profile> user; // set by a successful auth.hello
  std::string session_id;
  // Set when the token came from an API key: its scopes and meeting limit what this session may do.
  bool credential_limited = false;
  std::vector<std::string> credential_scopes;
  uint64_t credential_meeting = 0;
  std::optional<rate_limiter> limiter;
  // The meeting this connection is in (at most one). The handle comes from the directory at
  // join time and is monitored; it is dropped when the meeting detaches us or goes down.
  caf::actor meeting;
  uint64_t meeting_id = 0;
  uint64_t participant_id = 0;
  // Set when the connection signed in with a guest token: the one meeting it may join (user.id is the guest id).
  uint64_t guest_meeting_id = 0;
  // A running echo test (media.echo_test.start): its private router and this connection's
  // participant id in it. While it runs, the media ops go to it.
  caf::actor echo_router;
  uint64_t echo_participant_id = 0;
  static inline const char* name = "parley.session";

  void reply_error(std::optional<uint64_t> id, protocol::error_code code, std::string_view message) {
    sink->send(protocol::encode_error(id, code, message));
  }
  void reply_ok(std::optional<uint64_t> id, const protocol::packed& result) {
    sink->send(protocol::encode_ok(id, result));
  }
  void push_event(std::string_view name, const protocol::packed& data) {
    sink->send(protocol::encode_event(name, data));
  }
};

using session_actor = caf::stateful_actor<session_state>;

} // namespace parley::actors
