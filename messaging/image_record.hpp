// An image uploaded into a conversation: its metadata (the bytes are stored beside it).
#pragma once

#include <cstdint>
#include <string>

#include <msgpack.hpp>

namespace parley::messaging {

struct image_record {
  uint64_t id = 0;
  uint64_t conversation = 0;
  uint64_t uploader = 0;
  std::string mime;
  uint64_t size = 0;
  int64_t at = 0; // unix milliseconds
  MSGPACK_DEFINE_MAP(id, conversation, uploader, mime, size, at)
};

/// The largest image accepted, in bytes.
inline constexpr size_t max_image_bytes = 5 * 1024 * 1024;

} // namespace parley::messaging
