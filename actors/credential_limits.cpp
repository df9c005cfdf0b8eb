// A bot's credential: meetings:join allows being in a meeting (join, leave, chat, hands, own
// mute/video), nothing that creates or administers meetings.
#include "actors/credential_limits.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "accounts/api_key.hpp"
#include "meetings/meeting_id.hpp"

namespace parley::actors {

namespace {

constexpr std::array<std::string_view, 9> participant_ops{
  "sys.ping", "meeting.join", "meeting.leave", "chat.send", "chat.history", "hand.raise", "hand.lower",
  "self.mute", "self.video"};

std::optional<uint64_t> requested_meeting(const protocol::request& req) {
  if (auto text = protocol::string_field(req.args, "meeting_id"))
    return meetings::parse_meeting_id(*text);
  if (auto n = protocol::uint_field(req.args, "meeting_id"))
    return *n;
  return std::nullopt;
}

} // namespace

std::optional<std::string> credential_refusal(const session_state& st, const protocol::request& req) {
  if (!st.credential_limited)
    return std::nullopt;
  const bool joins = std::find(st.credential_scopes.begin(), st.credential_scopes.end(),
                               accounts::scope_meetings_join)
                     != st.credential_scopes.end();
  if (!joins || std::find(participant_ops.begin(), participant_ops.end(), req.op) == participant_ops.end())
    return "this credential does not allow " + req.op;
  if (req.op == "meeting.join" && st.credential_meeting != 0 && requested_meeting(req) != st.credential_meeting)
    return "this credential may join only meeting " + meetings::meeting_id_to_string(st.credential_meeting);
  return std::nullopt;
}

} // namespace parley::actors
