// STUN (RFC 5389/8489) messages as ICE-lite needs them: a parsed view and a writer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/parse_result.hpp"

namespace parley::media {

constexpr uint32_t stun_magic_cookie = 0x2112A442;
constexpr size_t stun_header_size = 20;
constexpr size_t stun_transaction_id_size = 12;
constexpr size_t stun_message_integrity_size = 20;  // HMAC-SHA1
constexpr uint32_t stun_fingerprint_xor = 0x5354554E;

using stun_transaction_id = std::array<uint8_t, stun_transaction_id_size>;

enum class stun_class : uint8_t { request = 0, indication = 1, success_response = 2, error_response = 3 };

namespace stun_method {
constexpr uint16_t binding = 0x0001;
}

namespace stun_attribute {
constexpr uint16_t mapped_address = 0x0001;
constexpr uint16_t username = 0x0006;
constexpr uint16_t message_integrity = 0x0008;
constexpr uint16_t error_code = 0x0009;
constexpr uint16_t unknown_attributes = 0x000A;
constexpr uint16_t realm = 0x0014;
constexpr uint16_t nonce = 0x0015;
constexpr uint16_t xor_mapped_address = 0x0020;
constexpr uint16_t priority = 0x0024;
constexpr uint16_t use_candidate = 0x0025;
constexpr uint16_t software = 0x8022;
constexpr uint16_t fingerprint = 0x8028;
constexpr uint16_t ice_controlled = 0x8029;
constexpr uint16_t ice_controlling = 0x802A;
}  // namespace stun_attribute

// Combines method and class into the 14-bit message type (RFC 5389 §6 bit layout).
[[nodiscard]] constexpr uint16_t stun_message_type(uint16_t method, stun_class cls) noexcept {
  const auto c = static_cast<uint16_t>(cls);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
                               ((c & 0x1) << 4) | ((c & 0x2) << 7));
}

struct stun_address {
  enum class family : uint8_t { ipv4 = 1, ipv6 = 2 };
  family fam = family::ipv4;
  std::array<uint8_t, 16> address{};  // network order; only the first 4 bytes used for IPv4
  uint16_t port = 0;

  friend bool operator==(const stun_address&, const stun_address&) = default;
};

struct stun_error_code {
  uint16_t code = 0;  // 300..699
  std::string_view reason;
};

// RFC 7983 demultiplexing plus the fixed header checks, cheap enough for every datagram.
[[nodiscard]] bool looks_like_stun(std::span<const uint8_t> datagram) noexcept;

// Standard CRC-32 (IEEE 802.3), exposed for tests of the FINGERPRINT attribute.
[[nodiscard]] uint32_t crc32(std::span<const uint8_t> data) noexcept;

// Long-term credential key (RFC 5389 §15.4): MD5(username ":" realm ":" password), the
// password already SASLprep'ed by the caller. ICE uses short-term credentials; TURN-style
// peers and the RFC 5769 vectors use this.
[[nodiscard]] std::optional<std::array<uint8_t, 16>> stun_long_term_key(std::string_view username, std::string_view realm,
                                                                        std::string_view password) noexcept;

// A validated, non-owning view of one STUN message. Attribute values point into the
// caller's buffer, which must outlive the view.
class stun_message {
 public:
  [[nodiscard]] static parse_result<stun_message> parse(std::span<const uint8_t> datagram) noexcept;

  [[nodiscard]] uint16_t type() const noexcept { return type_; }
  [[nodiscard]] uint16_t method() const noexcept;
  [[nodiscard]] stun_class message_class() const noexcept;
  [[nodiscard]] std::span<const uint8_t, stun_transaction_id_size> transaction_id() const noexcept {
    return data_.subspan<8, stun_transaction_id_size>();
  }
  [[nodiscard]] std::span<const uint8_t> bytes() const noexcept { return data_; }

  // Value of the first attribute of this type that precedes MESSAGE-INTEGRITY (later
  // ones are not covered by the integrity check, so RFC 5389 §15.4 says ignore them).
  [[nodiscard]] std::optional<std::span<const uint8_t>> attribute(uint16_t type) const noexcept;

  [[nodiscard]] std::optional<std::string_view> username() const noexcept;
  [[nodiscard]] std::optional<uint32_t> priority() const noexcept;
  [[nodiscard]] bool use_candidate() const noexcept;
  [[nodiscard]] std::optional<uint64_t> ice_controlling() const noexcept;
  [[nodiscard]] std::optional<uint64_t> ice_controlled() const noexcept;
  [[nodiscard]] std::optional<stun_address> xor_mapped_address() const noexcept;
  [[nodiscard]] std::optional<stun_error_code> error_code() const noexcept;
  [[nodiscard]] std::optional<std::string_view> software() const noexcept;

  [[nodiscard]] bool has_message_integrity() const noexcept { return integrity_offset_ != 0; }
  [[nodiscard]] bool has_fingerprint() const noexcept { return fingerprint_offset_ != 0; }

  // Short-term credentials: key is the ICE password as bytes.
  [[nodiscard]] bool verify_message_integrity(std::span<const uint8_t> key) const noexcept;
  [[nodiscard]] bool verify_fingerprint() const noexcept;

 private:
  stun_message() = default;

  std::span<const uint8_t> data_;
  uint16_t type_ = 0;
  size_t integrity_offset_ = 0;    // offset of the MESSAGE-INTEGRITY attribute header, 0 if absent
  size_t fingerprint_offset_ = 0;  // offset of the FINGERPRINT attribute header, 0 if absent
};

// Writes a STUN message into a caller-owned buffer so a media worker answers checks
// without allocating. Any overflow turns every later call into a no-op and finish()
// into nullopt.
class stun_message_writer {
 public:
  stun_message_writer(std::span<uint8_t> out, uint16_t type, std::span<const uint8_t, stun_transaction_id_size> id) noexcept;

  // RFC 5769 pads with spaces; zero is the usual choice, so it is the default.
  void set_padding_byte(uint8_t b) noexcept { padding_byte_ = b; }

  void add_attribute(uint16_t type, std::span<const uint8_t> value) noexcept;
  void add_username(std::string_view username) noexcept;
  void add_software(std::string_view software) noexcept;
  void add_priority(uint32_t priority) noexcept;
  void add_use_candidate() noexcept;
  void add_ice_controlling(uint64_t tie_breaker) noexcept;
  void add_ice_controlled(uint64_t tie_breaker) noexcept;
  void add_xor_mapped_address(const stun_address& address) noexcept;
  void add_error_code(uint16_t code, std::string_view reason) noexcept;
  void add_message_integrity(std::span<const uint8_t> key) noexcept;
  void add_fingerprint() noexcept;

  // Total message size, or nullopt if the buffer was too small.
  [[nodiscard]] std::optional<size_t> finish() noexcept;

 private:
  std::span<uint8_t> reserve_attribute(uint16_t type, size_t length) noexcept;
  void set_length(size_t body_length) noexcept;

  std::span<uint8_t> out_;
  size_t size_ = 0;
  bool overflow_ = false;
  uint8_t padding_byte_ = 0;
};

// The ICE-lite answer to a connectivity check: XOR-MAPPED-ADDRESS of where the request
// came from, MESSAGE-INTEGRITY under our password, FINGERPRINT.
[[nodiscard]] std::optional<size_t> write_binding_success(std::span<uint8_t> out,
                                                          std::span<const uint8_t, stun_transaction_id_size> id,
                                                          const stun_address& mapped,
                                                          std::span<const uint8_t> local_password) noexcept;

}  // namespace parley::media
