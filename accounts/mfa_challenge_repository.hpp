// Pending MFA sign-in challenges (a password was right, a second factor is due), kept on disk so
// a challenge handed out before a restart still works after it, and its failure count holds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <msgpack.hpp>

namespace parley::storage {
class database;
struct write_set;
} // namespace parley::storage

namespace parley::accounts {

struct mfa_challenge_record {
  uint64_t user_id = 0;
  bool enrolment = false;  // the user must enrol first (the organisation requires MFA)
  int64_t expires_at = 0;  // unix seconds
  uint32_t failures = 0;   // wrong codes so far
  MSGPACK_DEFINE_MAP(user_id, enrolment, expires_at, failures)
};

/// Stores (or updates) the challenge whose text hashes to `digest`.
void put_mfa_challenge(storage::write_set& writes, std::string_view digest, const mfa_challenge_record& challenge);
void erase_mfa_challenge(storage::write_set& writes, std::string_view digest);

/// The challenges still live at `now` (digest, record); expired or unreadable ones go to `expired`.
std::vector<std::pair<std::string, mfa_challenge_record>> load_mfa_challenges(storage::database& db, int64_t now,
                                                                             storage::write_set& expired);

} // namespace parley::accounts
