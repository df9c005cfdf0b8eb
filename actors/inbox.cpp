// Inbox: the user's connections (monitored), and the push of IM events to each of them.
#include "actors/inbox.hpp"

#include <algorithm>
#include <vector>

#include <caf/all.hpp>

#include "actors/meeting_messages.hpp"
#include "actors/messaging_messages.hpp"
#include "actors/account_closing_messages.hpp"

namespace parley::actors {

namespace {

struct inbox_state {
  uint64_t user = 0;
  std::vector<caf::actor> sessions;
  static inline const char* name = "parley.inbox";
};

using inbox_actor = caf::stateful_actor<inbox_state>;

caf::behavior inbox(inbox_actor* self, uint64_t user) {
  self->state.user = user;
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& sessions = self->state.sessions;
    sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                  [&](const caf::actor& s) { return s.address() == msg.source; }),
                   sessions.end());
  });
  return {
    [self](im_attach_atom, uint64_t, const caf::actor& session) {
      self->monitor(session);
      self->state.sessions.push_back(session);
    },
    // A session pushes whatever event it is handed (mt_event_atom is the session's "push this" message).
    [self](im_event_atom, const std::string& name, const std::vector<uint8_t>& data) {
      for (const auto& session : self->state.sessions)
        self->send(session, mt_event_atom::value, name, data);
    },
    [self](im_retire_atom) { self->quit(); },
    [self](im_close_atom, const std::string& reason, const std::string& message) {
      for (const auto& session : self->state.sessions)
        self->send(session, session_close_atom::value, reason, message);
    },
  };
}

} // namespace

caf::actor spawn_inbox(caf::local_actor* parent, uint64_t user) {
  return parent->spawn<caf::linked>(inbox, user);
}

} // namespace parley::actors
