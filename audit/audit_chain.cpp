// SHA-256 chaining with libsodium.
#include "audit/audit_chain.hpp"

#include <sodium.h>

namespace parley::audit {

std::string genesis_hash() {
  return std::string(crypto_hash_sha256_BYTES, '\0');
}

std::string canonical_encoding(const audit_event& e) {
  msgpack::sbuffer buffer;
  msgpack::packer pk(buffer);
  pk.pack_array(10);
  pk.pack(e.seq);
  pk.pack(e.at_ms);
  pk.pack(e.kind);
  pk.pack(e.actor_id);
  pk.pack(e.actor_name);
  pk.pack(e.org_id);
  pk.pack(e.target);
  pk.pack(e.detail);
  pk.pack(e.address);
  pk.pack_bin(static_cast<uint32_t>(e.prev_hash.size()));
  pk.pack_bin_body(e.prev_hash.data(), static_cast<uint32_t>(e.prev_hash.size()));
  return std::string{buffer.data(), buffer.size()};
}

std::string entry_hash(const audit_event& event) {
  auto body = canonical_encoding(event);
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(event.prev_hash.data()),
                            event.prev_hash.size());
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256_final(&state, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

void seal(audit_event& event, const std::string& prev_hash) {
  event.prev_hash = prev_hash;
  event.hash = entry_hash(event);
}

} // namespace parley::audit
