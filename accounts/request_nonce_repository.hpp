// Nonces of signed API requests, kept on disk until their timestamps can no longer be accepted,
// so a request replayed after a restart (even after kill -9) is still refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::storage {
class database;
struct write_set;
} // namespace parley::storage

namespace parley::accounts {

struct stored_nonce {
  std::string nonce; // scoped by access key id: "<key id>:<nonce>"
  int64_t forget_at = 0;
};

/// Records `nonce` until unix time `forget_at`; committed with the request's own writes.
void put_request_nonce(storage::write_set& writes, std::string_view nonce, int64_t forget_at);

/// The nonces still live at `now`, oldest expiry first; expired ones are added to `expired` for deletion.
/// At most `limit` are returned (the in-memory cache's capacity).
std::vector<stored_nonce> load_request_nonces(storage::database& db, int64_t now, size_t limit,
                                              storage::write_set& expired);

} // namespace parley::accounts
