// Messages of the audit log service (registry name `audit`).
#pragma once

#include <caf/atom.hpp>

#include "audit/audit_event.hpp"

namespace parley::actors {

/// (audit_append_atom, audit_event) → uint64 seq, once the entry is durable. The log assigns
/// seq, time and the chain hashes; senders fill in kind, actor, target, detail and address.
using audit_append_atom = caf::atom_constant<caf::atom("au_append")>;

} // namespace parley::actors
