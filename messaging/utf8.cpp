// A strict UTF-8 decoder loop (RFC 3629), used only to accept or refuse text.
#include "messaging/utf8.hpp"

#include <cstdint>

namespace parley::messaging {

bool is_valid_utf8(std::string_view text) noexcept {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
      length = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4, cp = c & 0x07, min = 0x10000;
    } else
      return false;
    if (i + length > n)
      return false;
    for (size_t k = 1; k < length; ++k) {
      const auto cc = static_cast<uint8_t>(text[i + k]);
      if ((cc & 0xc0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += length;
  }
  return true;
}

} // namespace parley::messaging
