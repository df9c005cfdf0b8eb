// Data keys for encryption at rest: one AES-256-GCM key per owner (an organisation or a user),
// stored wrapped by the node's master key, with versions for rotation and destruction for
// crypto-shredding.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <rocksdb/status.h>

namespace parley::storage {

class database;

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
  /// keys leave the files too. What was sealed under them can never be read again.
  rocksdb::Status destroy(uint64_t owner);

  /// True if `bytes` were produced by seal.
  static bool is_sealed(std::string_view bytes) noexcept;
  /// The owner a sealed value names (0 if not sealed).
  static uint64_t owner_of(std::string_view bytes) noexcept;

private:
  std::optional<std::string> key(uint64_t owner, uint32_t version);
  uint32_t current_locked(uint64_t owner);
  uint32_t create_version_locked(uint64_t owner, uint32_t version);

  std::shared_ptr<database> owned_db_; // empty when the database owns the ring
  database* db_;
  std::string master_key_;
  std::mutex mutex_;
  std::map<std::pair<uint64_t, uint32_t>, std::string> keys_; // unwrapped, in memory only
  std::map<uint64_t, uint32_t> current_;
};

} // namespace parley::storage
