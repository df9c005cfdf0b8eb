// Messages that close accounts: an organisation's deletion, and the closing of a user's connections.
#pragma once

#include <caf/atom.hpp>

namespace parley::actors {

/// (org_delete_atom, uint64_t org_id, uint64_t operator_id) → ok_atom, to the accounts actor: a
/// server operator deletes an organisation; the accounts actor checks the operator's rights,
/// removes the members and has the rest erased (actors/organisation_erasure.hpp).
using org_delete_atom = caf::atom_constant<caf::atom("ac_odel")>;

/// (im_close_atom, uint64_t user, std::string reason, std::string message) to the messaging
/// directory, and (im_close_atom, std::string reason, std::string message) to the user's inbox:
/// close every connection of the user, saying why ("account_disabled" or "account_deleted").
using im_close_atom = caf::atom_constant<caf::atom("im_close")>;

/// (session_close_atom, std::string reason, std::string message) to a session: tell the client
/// (event `session.closed`) and close the connection.
using session_close_atom = caf::atom_constant<caf::atom("se_close")>;

} // namespace parley::actors
