// REST routes of sign-in and identity: password change, MFA, API keys and signed requests,
// SAML, admin unlock / MFA reset / password expiry, the organisation's policy.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "actors/accounts_messages.hpp"
#include "net/rest_api.hpp"

namespace parley::net {

/// The JSON of a sign-in answer: {token, expires_at} and/or {mfa_required | mfa_enrolment_required,
/// challenge, challenge_expires_at}, {recovery_codes} once, and always {user}.
nlohmann::json login_grant_json(const actors::login_grant& grant);

/// Answers the request through `done` and returns true if `path` is one of these routes.
bool route_security(caf::actor_system& system, const actors::node_context& ctx, const http_request_view& request,
                    const std::string& path, const rest_api::completion& done);

} // namespace parley::net
