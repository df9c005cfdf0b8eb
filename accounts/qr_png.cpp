// libqrencode gives the module matrix; zlib compresses the scanlines; the PNG chunks are built here.
#include "accounts/qr_png.hpp"

#include <cstdint>
#include <memory>
#include <vector>

#include <qrencode.h>
#include <zlib.h>

namespace parley::accounts {

namespace {

void put_u32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void put_chunk(std::string& png, const char* type, const std::string& data) {
  put_u32(png, static_cast<uint32_t>(data.size()));
  std::string body = std::string{type, 4} + data;
  png += body;
  auto crc = crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  put_u32(png, static_cast<uint32_t>(crc));
}

} // namespace

std::optional<std::string> qr_png(std::string_view text, unsigned scale) {
  std::string terminated{text};
  std::unique_ptr<QRcode, void (*)(QRcode*)> code{
    QRcode_encodeString(terminated.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free};
  if (!code || scale == 0 || scale > 16)
    return std::nullopt;
  constexpr unsigned quiet = 4;
  const auto modules = static_cast<unsigned>(code->width);
  const auto size = (modules + 2 * quiet) * scale;
  std::string raw;
  raw.reserve(static_cast<size_t>(size) * (size + 1));
  for (unsigned y = 0; y < size; ++y) {
    raw.push_back('\0'); // filter: none
    for (unsigned x = 0; x < size; ++x) {
      unsigned mx = x / scale, my = y / scale;
      bool dark = mx >= quiet && my >= quiet && mx < modules + quiet && my < modules + quiet
                  && (code->data[(my - quiet) * modules + (mx - quiet)] & 1);
      raw.push_back(dark ? '\0' : static_cast<char>(0xff));
    }
  }
  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(compressed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 9)
      != Z_OK)
    return std::nullopt;
  compressed.resize(compressed_size);
  std::string png{"\x89PNG\r\n\x1a\n", 8};
  std::string header;
  put_u32(header, size);
  put_u32(header, size);
  header += std::string{"\x08\x00\x00\x00\x00", 5}; // 8-bit, greyscale, deflate, no filter, no interlace
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", compressed);
  put_chunk(png, "IEND", {});
  return png;
}

} // namespace parley::accounts
