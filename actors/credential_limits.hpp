// What a session signed in with a token from an API key may do: the key's scopes limit the ops,
// and a key tied to one meeting may join only that meeting.
#pragma once

#include <optional>
#include <string>

#include "actors/session_state.hpp"

namespace parley::actors {

/// Nullopt if the session may run `req`; otherwise why not (answered with `forbidden`).
std::optional<std::string> credential_refusal(const session_state& st, const protocol::request& req);

} // namespace parley::actors
