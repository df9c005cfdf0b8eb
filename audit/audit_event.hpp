// One entry of the audit log: who did what to whom, when, chained to the entry before it.
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <msgpack.hpp>

namespace parley::audit {

/// Kinds in use (the wire name of an entry's `kind`): "auth.login", "auth.login_failed",
/// "user.create", "user.disable", "user.enable", "user.delete", "user.role", "user.unlock",
/// "org.update", "audit.export", "usage.export", "data.export", "key.create", "key.rotate" …
struct audit_event {
  uint64_t seq = 0;      // 1, 2, 3 … assigned by the audit log
  int64_t at_ms = 0;     // unix milliseconds, assigned by the audit log
  std::string kind;
  uint64_t actor_id = 0; // the user who acted (0: the system or an unknown user)
  std::string actor_name;
  uint64_t org_id = 0;
  std::string target;    // what was acted on, e.g. a user id in hex
  std::string detail;    // free text or JSON; never a secret
  std::string address;   // the client's IP, if any
  std::string prev_hash; // SHA-256 of the previous entry (32 raw bytes; zeros before the first)
  std::string hash;      // SHA-256 over prev_hash and this entry's canonical encoding
  MSGPACK_DEFINE_MAP(seq, at_ms, kind, actor_id, actor_name, org_id, target, detail, address, prev_hash, hash)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_event& x) {
  return f(caf::meta::type_name("parley.audit.audit_event"), x.seq, x.at_ms, x.kind, x.actor_id, x.actor_name,
           x.org_id, x.target, x.detail, x.address, x.prev_hash, x.hash);
}

} // namespace parley::audit
