// One encoded protocol frame, immutable, that many connections send as it is.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>

namespace parley::actors {

/// A meeting encodes an event once; every recipient's connection queues these same bytes
/// (a reference count, not a copy). Serialised as the bytes themselves between nodes.
struct shared_frame {
  std::shared_ptr<const std::vector<uint8_t>> bytes;

  static shared_frame of(std::vector<uint8_t> encoded) {
    return {std::make_shared<const std::vector<uint8_t>>(std::move(encoded))};
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shared_frame& x) {
  if constexpr (Inspector::reads_state) {
    std::vector<uint8_t> copy = x.bytes ? *x.bytes : std::vector<uint8_t>{};
    return f(caf::meta::type_name("parley.shared_frame"), copy);
  } else {
    std::vector<uint8_t> loaded;
    auto keep = caf::meta::load_callback([&]() -> caf::error {
      x.bytes = std::make_shared<const std::vector<uint8_t>>(std::move(loaded));
      return caf::none;
    });
    return f(caf::meta::type_name("parley.shared_frame"), loaded, keep);
  }
}

} // namespace parley::actors
