// Keys live in the accounts family: 'k'|access_key_id → record, 'K'|user_id|access_key_id → "".
#include "accounts/api_key.hpp"

#include <algorithm>
#include <memory>

#include <rocksdb/db.h>
#include <sodium.h>

#include "accounts/password_hasher.hpp"
#include "accounts/totp.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/value_codec.hpp"
#include "storage/write_set.hpp"

namespace parley::accounts {

namespace {

constexpr uint8_t key_prefix = 'k';
constexpr uint8_t owner_prefix = 'K';

std::string record_key(std::string_view id) {
  return storage::key_builder{}.u8(key_prefix).bytes(id).str();
}

std::string owner_key(uint64_t user_id, std::string_view id) {
  return storage::key_builder{}.u8(owner_prefix).u64(user_id).bytes(id).str();
}

std::string to_hex(const unsigned char* bytes, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();
  return out;
}

} // namespace

bool is_known_scope(std::string_view scope) {
  return scope == scope_profile_read || scope == scope_meetings_join || scope == scope_keys_temporary;
}

bool api_key_record::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

new_api_key generate_api_key() {
  initialize_crypto();
  std::string id_bytes(12, '\0');
  randombytes_buf(id_bytes.data(), id_bytes.size());
  new_api_key key;
  key.access_key_id = "PK" + base32_encode(id_bytes).substr(0, 18);
  unsigned char secret[32];
  randombytes_buf(secret, sizeof secret);
  char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, secret, sizeof secret, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(secret, sizeof secret);
  key.secret = text;
  return key;
}

std::string derive_signing_key(std::string_view secret) {
  constexpr std::string_view label = "parley-request-v1";
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(label.data()), label.size());
  crypto_auth_hmacsha256_final(&state, out);
  return std::string{reinterpret_cast<const char*>(out), sizeof out};
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return to_hex(digest, sizeof digest);
}

std::string canonical_request(std::string_view method, std::string_view path, std::string_view query,
                              std::string_view timestamp, std::string_view nonce, std::string_view body) {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  size_t at = 0;
  while (at < query.size()) {
    auto amp = query.find('&', at);
    auto item = query.substr(at, amp == std::string_view::npos ? std::string_view::npos : amp - at);
    if (!item.empty()) {
      auto eq = item.find('=');
      pairs.emplace_back(item.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1));
    }
    if (amp == std::string_view::npos)
      break;
    at = amp + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string sorted;
  for (const auto& [k, v] : pairs) {
    if (!sorted.empty())
      sorted.push_back('&');
    sorted.append(k).push_back('=');
    sorted.append(v);
  }
  std::string out;
  out.append(method).push_back('\n');
  out.append(path).push_back('\n');
  out.append(sorted).push_back('\n');
  out.append(timestamp).push_back('\n');
  out.append(nonce).push_back('\n');
  out.append(sha256_hex(body));
  return out;
}

std::string request_signature(std::string_view signing_key, std::string_view canonical) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(signing_key.data()), signing_key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return to_hex(mac, sizeof mac);
}

bool signatures_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<api_key_record> find_api_key(const storage::database& db, std::string_view access_key_id) {
  if (access_key_id.empty() || access_key_id.size() > 64)
    return std::nullopt;
  auto bytes = db.get(storage::column_family::accounts, record_key(access_key_id));
  if (!bytes)
    return std::nullopt;
  return storage::decode_value<api_key_record>(*bytes);
}

std::vector<api_key_record> list_api_keys(storage::database& db, uint64_t user_id) {
  std::vector<api_key_record> result;
  auto prefix = storage::key_builder{}.u8(owner_prefix).u64(user_id).str();
  std::unique_ptr<rocksdb::Iterator> it{
    db.raw().NewIterator(rocksdb::ReadOptions{}, db.handle(storage::column_family::accounts))};
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto id = it->key().ToStringView().substr(prefix.size());
    if (auto key = find_api_key(db, id))
      result.push_back(std::move(*key));
  }
  return result;
}

void put_api_key(storage::write_set& writes, const api_key_record& key) {
  writes.put(storage::column_family::accounts, record_key(key.access_key_id), storage::encode_value(key));
  writes.put(storage::column_family::accounts, owner_key(key.user_id, key.access_key_id), std::string{});
}

} // namespace parley::accounts
