// Data keys for encryption at rest: one AES-256-GCM key per owner (an organisation or a user),
// stored wrapped by the node's master key, with versions for rotation and destruction for
// crypto-shredding.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <rocksdb/status.h>

namespace parley::storage {

class database;

/// Thrown by seal for an owner whose key was destroyed: whatever was to be written for them must
/// not be stored (the database drops such writes).
class owner_shredded : public std::runtime_error {
public:
  explicit owner_shredded(uint64_t owner) : std::runtime_error("the owner's data key was destroyed"), owner_(owner) {}
  uint64_t owner() const noexcept { return owner_; }

private:
  uint64_t owner_;
};

class data_key_ring {
public:
  data_key_ring(std::shared_ptr<database> db, std::string master_key);
  /// A ring owned by the database it keeps its keys in (see database::enable_encryption).
  data_key_ring(database& db, std::string master_key);

  /// Encrypts under `owner`'s current key, creating version 1 on first use. The result names
  /// owner and version, so it opens after rotations. Throws std::runtime_error only if a new
  /// key cannot be stored.
  std::string seal(uint64_t owner, std::string_view plaintext);

  /// Decrypts what seal made; nullopt if the owner's key was destroyed or the bytes were altered.
  std::optional<std::string> open(std::string_view sealed);

  /// Starts a new key version for `owner`; data sealed under older versions stays readable.
  /// Returns the new version (0 if it could not be stored).
  uint32_t rotate(uint64_t owner);

  /// The owner's current version, 0 if it has no key.
  uint32_t current_version(uint64_t owner);

  /// Destroys every version of `owner`'s key, durably, and compacts the keys so the wrapped
  /// keys leave the files too. What was sealed under them can never be read again, and the owner
  /// never gets a key again: a later seal for it throws owner_shredded. Only the durable erase
  /// decides the status; a failed flush or compaction is logged (the next one removes the keys).
  rocksdb::Status destroy(uint64_t owner);
  /// True once `owner`'s key was destroyed.
  bool destroyed(uint64_t owner);

  /// True if `bytes` were produced by seal.
  static bool is_sealed(std::string_view bytes) noexcept;
  /// The owner a sealed value names (0 if not sealed).
  static uint64_t owner_of(std::string_view bytes) noexcept;

private:
  std::optional<std::string> key(uint64_t owner, uint32_t version);
  uint32_t current_locked(uint64_t owner);
  bool destroyed_locked(uint64_t owner);
  uint32_t create_version_locked(uint64_t owner, uint32_t version);

  std::shared_ptr<database> owned_db_; // empty when the database owns the ring
  database* db_;
  std::string master_key_;
  std::mutex mutex_;
  std::map<std::pair<uint64_t, uint32_t>, std::string> keys_; // unwrapped, in memory only
  std::map<uint64_t, uint32_t> current_;
  std::set<uint64_t> destroyed_; // owners known to be shredded
};

} // namespace parley::storage
