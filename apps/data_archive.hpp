// Export and import of a user's or an organisation's data as a folder of JSON files (and
// attachments), which another Parley node can import.
#pragma once

#include <cstdint>
#include <string>

namespace parley::storage {
class database;
}

namespace parley::apps {

struct export_request {
  std::string username; // export one user, or
  uint64_t org_id = 0;  // every user of an organisation
  std::string out_dir;  // created; must not exist yet or be empty
};

struct archive_counts {
  size_t users = 0;
  size_t meetings = 0;
  size_t messages = 0;
};

/// Writes manifest.json, organisation.json (organisation exports), users.jsonl, meetings.jsonl
/// (meetings the users host), chat.jsonl (those meetings' chat) and attachments/. Password
/// hashes travel, so users sign in on the new node with the same passwords. Returns an error or "".
std::string export_archive(storage::database& db, const export_request& request, archive_counts& counts);

/// Imports an archive in one atomic write. Refuses (writing nothing) if a username, user id or
/// meeting id already exists. Users keep the archive's organisation if it is imported with them,
/// else join the default organisation. Returns an error or "".
std::string import_archive(storage::database& db, const std::string& in_dir, archive_counts& counts);

} // namespace parley::apps
