// Image formats are recognised by their bytes only; anything else is refused.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "messaging/image_type.hpp"

using parley::messaging::sniff_image_type;

namespace {

std::vector<uint8_t> bytes_of(std::string head, size_t total = 64) {
  std::vector<uint8_t> out(head.begin(), head.end());
  out.resize(std::max(total, out.size()), 0);
  return out;
}

} // namespace

TEST_CASE("PNG, JPEG, GIF and WebP are recognised by their signatures", "[messaging][images]") {
  CHECK(sniff_image_type(bytes_of(std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16))) == "image/png");
  CHECK(sniff_image_type(bytes_of("\xff\xd8\xff\xe0")) == "image/jpeg");
  CHECK(sniff_image_type(bytes_of("GIF87a")) == "image/gif");
  CHECK(sniff_image_type(bytes_of("GIF89a")) == "image/gif");
  CHECK(sniff_image_type(bytes_of(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16))) == "image/webp");
}

TEST_CASE("anything else is not an image, whatever it is called", "[messaging][images]") {
  CHECK_FALSE(sniff_image_type(bytes_of("hello.png is just text")));
  CHECK_FALSE(sniff_image_type(bytes_of("<svg xmlns='http://www.w3.org/2000/svg'>")));
  CHECK_FALSE(sniff_image_type(bytes_of(std::string("RIFF\x10\0\0\0WAVEfmt ", 16)))); // audio
  CHECK_FALSE(sniff_image_type(bytes_of("\x89PNG\r\n\x1a\n", 8)));                     // a bare signature
  CHECK_FALSE(sniff_image_type(bytes_of(std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dJUNK", 16))));
  CHECK_FALSE(sniff_image_type({}));
}
