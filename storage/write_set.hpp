// A set of writes applied atomically (one RocksDB WriteBatch), the unit the store commits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "storage/column_family.hpp"

namespace parley::storage {

struct write_op {
  uint8_t family = 0; // a storage::column_family
  bool erase = false;
  std::string key;
  std::string value;
  uint64_t seal_owner = 0; // non-zero: sealed under this owner's data key when committed
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_op& x) {
  return f(caf::meta::type_name("parley.storage.write_op"), x.family, x.erase, x.key, x.value, x.seal_owner);
}

/// Writes applied atomically: all or none.
struct write_set {
  std::vector<write_op> ops;

  write_set& put(column_family cf, std::string key, std::string value) {
    ops.push_back(write_op{static_cast<uint8_t>(cf), false, std::move(key), std::move(value)});
    return *this;
  }
  /// Like put, but the value is stored encrypted under `owner`'s data key (see storage/data_owner.hpp)
  /// when the database has encryption at rest enabled; sealing happens at commit, in the store.
  write_set& put_sealed(column_family cf, std::string key, uint64_t owner, std::string value) {
    ops.push_back(write_op{static_cast<uint8_t>(cf), false, std::move(key), std::move(value), owner});
    return *this;
  }
  write_set& erase(column_family cf, std::string key) {
    ops.push_back(write_op{static_cast<uint8_t>(cf), true, std::move(key), {}});
    return *this;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_set& x) {
  return f(caf::meta::type_name("parley.storage.write_set"), x.ops);
}

} // namespace parley::storage
