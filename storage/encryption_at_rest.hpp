// Turning encryption at rest on for a node: the master key file is checked against the data folder.
#pragma once

#include <string>

namespace parley::storage {

class database;

/// Loads the master key from `key_file` and enables encryption on `db`. The first start creates
/// the key file (mode 0600) and records a check value in the keys family; later starts refuse a
/// key file that is missing, readable by others, of the wrong size, or not the key this data
/// folder was encrypted with. Returns an error an operator can act on, or "".
std::string enable_encryption_at_rest(database& db, const std::string& key_file);

/// For measuring what encryption at rest costs: leaves it off, which only a data folder that
/// never held a key (nor the master key check) may do. Returns the refusal, or "".
std::string leave_encryption_off(database& db);

} // namespace parley::storage
