// Keys: 'N'|forget_at (u64, big-endian)|nonce → "" in the accounts family, so expired nonces are one
// range at the front and a restart reads the live ones in expiry order.
#include "accounts/request_nonce_repository.hpp"

#include <memory>

#include <rocksdb/db.h>

#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/write_set.hpp"

namespace parley::accounts {

namespace {

constexpr uint8_t nonce_prefix = 'N';

std::string nonce_key(std::string_view nonce, int64_t forget_at) {
  return storage::key_builder{}.u8(nonce_prefix).u64(static_cast<uint64_t>(forget_at)).bytes(nonce).str();
}

} // namespace

void put_request_nonce(storage::write_set& writes, std::string_view nonce, int64_t forget_at) {
  writes.put(storage::column_family::accounts, nonce_key(nonce, forget_at), std::string{});
}

std::vector<stored_nonce> load_request_nonces(storage::database& db, int64_t now, size_t limit,
                                              storage::write_set& expired) {
  std::vector<stored_nonce> live;
  const std::string prefix(1, static_cast<char>(nonce_prefix));
  std::unique_ptr<rocksdb::Iterator> it{
    db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(storage::column_family::accounts))};
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto key = it->key().ToStringView();
    auto forget_at = storage::read_u64(key, 1);
    if (!forget_at || static_cast<int64_t>(*forget_at) <= now) {
      expired.erase(storage::column_family::accounts, std::string{key});
      continue;
    }
    if (live.size() >= limit)
      break;
    live.push_back(stored_nonce{std::string{key.substr(9)}, static_cast<int64_t>(*forget_at)});
  }
  return live;
}

} // namespace parley::accounts
