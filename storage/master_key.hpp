// The node's master key: 32 random bytes in a file only the server's user may read.
#pragma once

#include <string>

namespace parley::storage {

inline constexpr size_t master_key_size = 32;

/// Reads the master key from `path` into `key`, creating the file (mode 0600, 32 random bytes)
/// if it does not exist. Refuses a file that group or others may read or write, and one of the
/// wrong size. Returns an error text an operator can act on, or "".
std::string load_master_key(const std::string& path, std::string& key);

} // namespace parley::storage
