// API keys: an access key id and a secret (shown once) per user or service account, with scopes.
// Requests are signed with HMAC-SHA256 over a canonical request; the server keeps only the
// signing key derived from the secret, never the secret itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

namespace parley::storage {
class database;
struct write_set;
} // namespace parley::storage

namespace parley::accounts {

/// What a key may do. A temporary credential gets a subset of its parent's scopes.
inline constexpr std::string_view scope_profile_read = "profile:read";
inline constexpr std::string_view scope_meetings_join = "meetings:join";
inline constexpr std::string_view scope_keys_temporary = "keys:temporary";
bool is_known_scope(std::string_view scope);

struct api_key_record {
  std::string access_key_id; // "PK" + 20 upper-case base32 characters
  uint64_t user_id = 0;      // the user or service account the key acts as
  std::string name;
  std::vector<std::string> scopes;
  std::string signing_key; // HMAC-SHA256(secret, "parley-request-v1"), 32 bytes
  int64_t created_at = 0;
  int64_t expires_at = 0;     // 0: until revoked
  std::string parent_key_id;  // set for temporary credentials
  uint64_t meeting_id = 0;    // temporary credentials may be limited to one meeting
  bool revoked = false;
  MSGPACK_DEFINE_MAP(access_key_id, user_id, name, scopes, signing_key, created_at, expires_at, parent_key_id,
                     meeting_id, revoked)

  bool has_scope(std::string_view scope) const;
};

/// A fresh id and secret; the record's signing key is derived from the secret.
struct new_api_key {
  std::string access_key_id;
  std::string secret; // 43 URL-safe characters; returned to the caller once
};
new_api_key generate_api_key();

/// The key both sides sign with: HMAC-SHA256(key = secret, message = "parley-request-v1").
std::string derive_signing_key(std::string_view secret);

/// METHOD \n PATH \n SORTED_QUERY \n TIMESTAMP \n NONCE \n hex(SHA-256(body)).
/// The query's `k=v` pairs are sorted by key, then value, as sent (no re-encoding).
std::string canonical_request(std::string_view method, std::string_view path, std::string_view query,
                              std::string_view timestamp, std::string_view nonce, std::string_view body);

/// Lower-case hex of HMAC-SHA256(signing_key, canonical).
std::string request_signature(std::string_view signing_key, std::string_view canonical);

/// Constant-time comparison of two signatures.
bool signatures_equal(std::string_view a, std::string_view b);

std::string sha256_hex(std::string_view bytes);

std::optional<api_key_record> find_api_key(const storage::database& db, std::string_view access_key_id);
/// Every key of one user (scan of the key index; for listing, not hot paths).
std::vector<api_key_record> list_api_keys(storage::database& db, uint64_t user_id);
void put_api_key(storage::write_set& writes, const api_key_record& key);

} // namespace parley::accounts
