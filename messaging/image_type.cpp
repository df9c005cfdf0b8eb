// Magic numbers of the image formats conversations accept.
#include "messaging/image_type.hpp"

#include <algorithm>
#include <array>

namespace parley::messaging {

namespace {

bool starts_with(std::span<const uint8_t> bytes, std::span<const uint8_t> magic, size_t offset = 0) noexcept {
  return bytes.size() >= offset + magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin() + offset);
}

constexpr std::array<uint8_t, 8> png{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
constexpr std::array<uint8_t, 3> jpeg{0xff, 0xd8, 0xff};
constexpr std::array<uint8_t, 6> gif87{'G', 'I', 'F', '8', '7', 'a'};
constexpr std::array<uint8_t, 6> gif89{'G', 'I', 'F', '8', '9', 'a'};
constexpr std::array<uint8_t, 4> riff{'R', 'I', 'F', 'F'};
constexpr std::array<uint8_t, 4> webp{'W', 'E', 'B', 'P'};

} // namespace

std::optional<std::string_view> sniff_image_type(std::span<const uint8_t> bytes) noexcept {
  // A PNG must also carry its IHDR chunk; the shortest real files of each kind are far longer
  // than these signatures, so a bare signature is refused as well.
  constexpr size_t shortest_image = 24;
  if (bytes.size() < shortest_image)
    return std::nullopt;
  if (starts_with(bytes, png)) {
    constexpr std::array<uint8_t, 4> ihdr{'I', 'H', 'D', 'R'};
    return starts_with(bytes, ihdr, 12) ? std::optional<std::string_view>{"image/png"} : std::nullopt;
  }
  if (starts_with(bytes, jpeg))
    return "image/jpeg";
  if (starts_with(bytes, gif87) || starts_with(bytes, gif89))
    return "image/gif";
  if (starts_with(bytes, riff) && starts_with(bytes, webp, 8))
    return "image/webp";
  return std::nullopt;
}

} // namespace parley::messaging
