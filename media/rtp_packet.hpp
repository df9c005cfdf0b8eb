// A non-owning view over one RTP packet (RFC 3550, header extensions RFC 8285).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

#include "media/byte_io.hpp"
#include "media/parse_result.hpp"

namespace parley::media {

constexpr size_t rtp_fixed_header_size = 12;
constexpr uint16_t rtp_one_byte_extension_profile = 0xBEDE;
constexpr uint16_t rtp_two_byte_extension_profile = 0x1000;  // low 4 bits are "appbits"

// Byte is `const uint8_t` for a read-only view or `uint8_t` for a view whose header the
// SFU rewrites in place while forwarding (ssrc, sequence, timestamp, payload type).
template <typename Byte>
class basic_rtp_packet {
  static_assert(std::is_same_v<std::remove_const_t<Byte>, uint8_t>);

 public:
  [[nodiscard]] static parse_result<basic_rtp_packet> parse(std::span<Byte> data) noexcept;

  [[nodiscard]] uint8_t version() const noexcept { return data_[0] >> 6; }
  [[nodiscard]] bool has_padding() const noexcept { return (data_[0] & 0x20) != 0; }
  [[nodiscard]] bool has_extension() const noexcept { return (data_[0] & 0x10) != 0; }
  [[nodiscard]] uint8_t csrc_count() const noexcept { return data_[0] & 0x0F; }
  [[nodiscard]] bool marker() const noexcept { return (data_[1] & 0x80) != 0; }
  [[nodiscard]] uint8_t payload_type() const noexcept { return data_[1] & 0x7F; }
  [[nodiscard]] uint16_t sequence() const noexcept;
  [[nodiscard]] uint32_t timestamp() const noexcept;
  [[nodiscard]] uint32_t ssrc() const noexcept;
  [[nodiscard]] uint32_t csrc(size_t index) const noexcept;  // precondition: index < csrc_count()

  [[nodiscard]] uint16_t extension_profile() const noexcept { return extension_profile_; }
  // The whole extension block after its 4-byte header; empty without the X bit.
  [[nodiscard]] std::span<Byte> extension_block() const noexcept {
    return data_.subspan(extension_offset_, extension_length_);
  }
  // RFC 8285 element with this id (1-14 one-byte form, 1-255 two-byte form).
  [[nodiscard]] std::optional<std::span<Byte>> extension(uint8_t id) const noexcept;

  [[nodiscard]] size_t header_size() const noexcept { return header_size_; }
  [[nodiscard]] std::span<Byte> payload() const noexcept {
    return data_.subspan(header_size_, data_.size() - header_size_ - padding_size_);
  }
  [[nodiscard]] size_t padding_size() const noexcept { return padding_size_; }
  [[nodiscard]] std::span<Byte> bytes() const noexcept { return data_; }

  // Member templates rather than constrained members: explicit instantiation of the
  // read-only view must not instantiate them (clang 14 would, despite the constraint).
  template <typename B = Byte>
    requires(!std::is_const_v<B>)
  void set_marker(bool m) noexcept {
    data_[1] = static_cast<uint8_t>((data_[1] & 0x7F) | (m ? 0x80 : 0));
  }
  template <typename B = Byte>
    requires(!std::is_const_v<B>)
  void set_payload_type(uint8_t pt) noexcept {
    data_[1] = static_cast<uint8_t>((data_[1] & 0x80) | (pt & 0x7F));
  }
  template <typename B = Byte>
    requires(!std::is_const_v<B>)
  void set_sequence(uint16_t seq) noexcept {
    write_u16(data_, 2, seq);
  }
  template <typename B = Byte>
    requires(!std::is_const_v<B>)
  void set_timestamp(uint32_t ts) noexcept {
    write_u32(data_, 4, ts);
  }
  template <typename B = Byte>
    requires(!std::is_const_v<B>)
  void set_ssrc(uint32_t ssrc) noexcept {
    write_u32(data_, 8, ssrc);
  }

 private:
  basic_rtp_packet() = default;

  std::span<Byte> data_;
  size_t header_size_ = 0;
  size_t extension_offset_ = 0;
  size_t extension_length_ = 0;
  size_t padding_size_ = 0;
  uint16_t extension_profile_ = 0;
};

using rtp_packet_view = basic_rtp_packet<const uint8_t>;
using rtp_packet = basic_rtp_packet<uint8_t>;

extern template class basic_rtp_packet<const uint8_t>;
extern template class basic_rtp_packet<uint8_t>;

// RFC 5761/7983 demultiplexing: RTCP packet types 192-223 share the first byte range
// with RTP, so the second byte decides.
[[nodiscard]] bool looks_like_rtp(std::span<const uint8_t> datagram) noexcept;
[[nodiscard]] bool looks_like_rtcp(std::span<const uint8_t> datagram) noexcept;

}  // namespace parley::media
