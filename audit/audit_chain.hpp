// The hash chain over audit entries: sealing a new entry and checking a stored log.
#pragma once

#include <cstdint>
#include <string>

#include "audit/audit_event.hpp"

namespace parley::audit {

/// 32 zero bytes: the previous hash of the first entry.
std::string genesis_hash();

/// The bytes that are hashed: a msgpack array of every field except `hash`, in a fixed order,
/// so the encoding of a given entry never depends on map order or the library version.
std::string canonical_encoding(const audit_event& event);

/// SHA-256(prev_hash || canonical_encoding(event)).
std::string entry_hash(const audit_event& event);

/// Links `event` after `prev_hash` and sets its hash.
void seal(audit_event& event, const std::string& prev_hash);

} // namespace parley::audit
