// RTP header parsing and in-place header rewriting.
#include "media/rtp_packet.hpp"

#include "media/byte_io.hpp"

namespace parley::media {
namespace {

bool is_two_byte_profile(uint16_t profile) noexcept { return (profile & 0xFFF0) == rtp_two_byte_extension_profile; }

// Walks an RFC 8285 element list; returns false on a malformed list. For each element
// calls on_element(id, offset, length) with offsets relative to the block.
template <typename F>
bool walk_extensions(std::span<const uint8_t> block, bool two_byte, F&& on_element) noexcept {
  size_t at = 0;
  while (at < block.size()) {
    const uint8_t first = block[at];
    if (first == 0) {  // padding between elements
      ++at;
      continue;
    }
    size_t id = 0;
    size_t length = 0;
    if (two_byte) {
      if (block.size() - at < 2) return false;
      id = first;
      length = block[at + 1];
      at += 2;
    } else {
      id = first >> 4;
      length = static_cast<size_t>(first & 0x0F) + 1;
      if (id == 15) return true;  // RFC 8285 §4.2: stop parsing, the rest is not ours
      at += 1;
    }
    if (length > block.size() - at) return false;
    if (on_element(static_cast<uint8_t>(id), at, length)) return true;
    at += length;
  }
  return true;
}

}  // namespace

template <typename Byte>
parse_result<basic_rtp_packet<Byte>> basic_rtp_packet<Byte>::parse(std::span<Byte> data) noexcept {
  const std::span<const uint8_t> d = data;
  if (d.size() < rtp_fixed_header_size) return parse_error::truncated;
  if ((d[0] >> 6) != 2) return parse_error::bad_version;

  basic_rtp_packet p;
  p.data_ = data;
  size_t at = rtp_fixed_header_size + 4 * static_cast<size_t>(d[0] & 0x0F);
  if (at > d.size()) return parse_error::truncated;

  if ((d[0] & 0x10) != 0) {
    if (d.size() - at < 4) return parse_error::truncated;
    p.extension_profile_ = read_u16(d, at);
    const size_t length = 4 * static_cast<size_t>(read_u16(d, at + 2));
    at += 4;
    if (length > d.size() - at) return parse_error::truncated;
    p.extension_offset_ = at;
    p.extension_length_ = length;
    at += length;
    const bool one_byte = p.extension_profile_ == rtp_one_byte_extension_profile;
    const bool two_byte = is_two_byte_profile(p.extension_profile_);
    if ((one_byte || two_byte) &&
        !walk_extensions(d.subspan(p.extension_offset_, length), two_byte, [](uint8_t, size_t, size_t) { return false; }))
      return parse_error::bad_extension;
  }
  p.header_size_ = at;

  if ((d[0] & 0x20) != 0) {
    // The count includes itself, so zero is impossible; it may not eat into the header.
    const size_t pad = d.back();
    if (pad == 0 || pad > d.size() - at) return parse_error::bad_padding;
    p.padding_size_ = pad;
  }
  return p;
}

template <typename Byte>
uint16_t basic_rtp_packet<Byte>::sequence() const noexcept {
  return read_u16(data_, 2);
}

template <typename Byte>
uint32_t basic_rtp_packet<Byte>::timestamp() const noexcept {
  return read_u32(data_, 4);
}

template <typename Byte>
uint32_t basic_rtp_packet<Byte>::ssrc() const noexcept {
  return read_u32(data_, 8);
}

template <typename Byte>
uint32_t basic_rtp_packet<Byte>::csrc(size_t index) const noexcept {
  return read_u32(data_, rtp_fixed_header_size + 4 * index);
}

template <typename Byte>
std::optional<std::span<Byte>> basic_rtp_packet<Byte>::extension(uint8_t id) const noexcept {
  if (extension_length_ == 0 || id == 0) return std::nullopt;
  const bool two_byte = is_two_byte_profile(extension_profile_);
  if (!two_byte && (extension_profile_ != rtp_one_byte_extension_profile || id > 14)) return std::nullopt;
  const auto block = extension_block();
  std::optional<std::span<Byte>> found;
  walk_extensions(block, two_byte, [&](uint8_t element_id, size_t offset, size_t length) {
    if (element_id != id) return false;
    found = block.subspan(offset, length);
    return true;
  });
  return found;
}

template class basic_rtp_packet<const uint8_t>;
template class basic_rtp_packet<uint8_t>;

bool looks_like_rtcp(std::span<const uint8_t> d) noexcept {
  return d.size() >= 4 && (d[0] >> 6) == 2 && d[1] >= 192 && d[1] <= 223;
}

bool looks_like_rtp(std::span<const uint8_t> d) noexcept {
  return d.size() >= rtp_fixed_header_size && (d[0] >> 6) == 2 && !(d[1] >= 192 && d[1] <= 223);
}

}  // namespace parley::media
