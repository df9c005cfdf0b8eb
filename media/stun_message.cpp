// STUN message parsing, integrity/fingerprint checks and the ICE-lite binding response.
#include "media/stun_message.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstring>

#include "media/byte_io.hpp"

namespace parley::media {
namespace {

constexpr size_t attribute_header_size = 4;
constexpr size_t fingerprint_attribute_size = attribute_header_size + 4;
constexpr size_t integrity_attribute_size = attribute_header_size + stun_message_integrity_size;

constexpr size_t padded(size_t n) noexcept { return (n + 3) & ~size_t{3}; }

constexpr std::array<uint32_t, 256> make_crc_table() noexcept {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto crc_table = make_crc_table();

uint32_t crc32_update(uint32_t crc, std::span<const uint8_t> data) noexcept {
  for (uint8_t b : data) crc = crc_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc;
}

// The header as it must read while hashing: its length field covers the message only up
// to the end of the attribute being computed (RFC 5389 §15.4, §15.5).
std::array<uint8_t, stun_header_size> header_with_length(std::span<const uint8_t> msg, size_t body_length) noexcept {
  std::array<uint8_t, stun_header_size> h{};
  std::copy_n(msg.begin(), stun_header_size, h.begin());
  write_u16(h, 2, static_cast<uint16_t>(body_length));
  return h;
}

uint32_t fingerprint_over(std::span<const uint8_t> msg, size_t fingerprint_offset) noexcept {
  const auto h = header_with_length(msg, fingerprint_offset + fingerprint_attribute_size - stun_header_size);
  uint32_t crc = crc32_update(0xFFFFFFFFu, h);
  crc = crc32_update(crc, msg.subspan(stun_header_size, fingerprint_offset - stun_header_size));
  return (crc ^ 0xFFFFFFFFu) ^ stun_fingerprint_xor;
}

EVP_MAC* hmac_algorithm() noexcept {
  // Fetching is costly and thread-safe; the result is shared for the process lifetime.
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

bool hmac_sha1(std::span<const uint8_t> key, std::span<const uint8_t> a, std::span<const uint8_t> b,
               std::span<uint8_t, stun_message_integrity_size> out) noexcept {
  EVP_MAC* mac = hmac_algorithm();
  if (mac == nullptr) return false;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  if (ctx == nullptr) return false;
  char digest[] = "SHA1";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  // An empty key is legal HMAC input, but OpenSSL wants a non-null pointer.
  static constexpr uint8_t empty_key[1] = {0};
  const uint8_t* key_ptr = key.empty() ? empty_key : key.data();
  size_t written = 0;
  const bool ok = EVP_MAC_init(ctx, key_ptr, key.size(), params) == 1 && EVP_MAC_update(ctx, a.data(), a.size()) == 1 &&
                  EVP_MAC_update(ctx, b.data(), b.size()) == 1 &&
                  EVP_MAC_final(ctx, out.data(), &written, out.size()) == 1 && written == out.size();
  EVP_MAC_CTX_free(ctx);
  return ok;
}

std::string_view as_text(std::span<const uint8_t> v) noexcept {
  return {reinterpret_cast<const char*>(v.data()), v.size()};
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> data) noexcept { return crc32_update(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu; }

std::optional<std::array<uint8_t, 16>> stun_long_term_key(std::string_view username, std::string_view realm,
                                                          std::string_view password) noexcept {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return std::nullopt;
  std::array<uint8_t, 16> key{};
  unsigned int written = 0;
  const bool ok = EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, username.data(), username.size()) == 1 && EVP_DigestUpdate(ctx, ":", 1) == 1 &&
                  EVP_DigestUpdate(ctx, realm.data(), realm.size()) == 1 && EVP_DigestUpdate(ctx, ":", 1) == 1 &&
                  EVP_DigestUpdate(ctx, password.data(), password.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, key.data(), &written) == 1 && written == key.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::nullopt;
  return key;
}

bool looks_like_stun(std::span<const uint8_t> d) noexcept {
  return d.size() >= stun_header_size && (d[0] & 0xC0) == 0 && read_u32(d, 4) == stun_magic_cookie &&
         (read_u16(d, 2) & 0x3) == 0;
}

parse_result<stun_message> stun_message::parse(std::span<const uint8_t> d) noexcept {
  if (d.size() < stun_header_size) return parse_error::truncated;
  if ((d[0] & 0xC0) != 0) return parse_error::bad_type;
  if (read_u32(d, 4) != stun_magic_cookie) return parse_error::bad_magic_cookie;
  const size_t body = read_u16(d, 2);
  if (body % 4 != 0) return parse_error::bad_length;
  if (stun_header_size + body > d.size()) return parse_error::truncated;

  stun_message m;
  m.data_ = d.first(stun_header_size + body);
  m.type_ = read_u16(d, 0);

  size_t at = stun_header_size;
  while (at < m.data_.size()) {
    if (m.fingerprint_offset_ != 0) return parse_error::bad_attribute;  // FINGERPRINT must be last
    if (m.data_.size() - at < attribute_header_size) return parse_error::truncated;
    const uint16_t type = read_u16(m.data_, at);
    const size_t length = read_u16(m.data_, at + 2);
    if (padded(length) > m.data_.size() - at - attribute_header_size) return parse_error::truncated;
    if (type == stun_attribute::message_integrity && m.integrity_offset_ == 0) {
      if (length != stun_message_integrity_size) return parse_error::bad_attribute;
      m.integrity_offset_ = at;
    } else if (type == stun_attribute::fingerprint) {
      if (length != 4) return parse_error::bad_attribute;
      m.fingerprint_offset_ = at;
    }
    at += attribute_header_size + padded(length);
  }
  return m;
}

uint16_t stun_message::method() const noexcept {
  return static_cast<uint16_t>((type_ & 0x000F) | ((type_ & 0x00E0) >> 1) | ((type_ & 0x3E00) >> 2));
}

stun_class stun_message::message_class() const noexcept {
  return static_cast<stun_class>(((type_ >> 4) & 0x1) | ((type_ >> 7) & 0x2));
}

std::optional<std::span<const uint8_t>> stun_message::attribute(uint16_t wanted) const noexcept {
  const size_t end = integrity_offset_ != 0 ? integrity_offset_ : data_.size();
  // parse() validated the attribute chain, so the walk needs no further bounds checks.
  for (size_t at = stun_header_size; at < end;) {
    const uint16_t type = read_u16(data_, at);
    const size_t length = read_u16(data_, at + 2);
    if (type == wanted) return data_.subspan(at + attribute_header_size, length);
    at += attribute_header_size + padded(length);
  }
  if (wanted == stun_attribute::message_integrity && integrity_offset_ != 0)
    return data_.subspan(integrity_offset_ + attribute_header_size, stun_message_integrity_size);
  if (wanted == stun_attribute::fingerprint && fingerprint_offset_ != 0)
    return data_.subspan(fingerprint_offset_ + attribute_header_size, 4);
  return std::nullopt;
}

std::optional<std::string_view> stun_message::username() const noexcept {
  const auto v = attribute(stun_attribute::username);
  if (!v) return std::nullopt;
  return as_text(*v);
}

std::optional<std::string_view> stun_message::software() const noexcept {
  const auto v = attribute(stun_attribute::software);
  if (!v) return std::nullopt;
  return as_text(*v);
}

std::optional<uint32_t> stun_message::priority() const noexcept {
  const auto v = attribute(stun_attribute::priority);
  if (!v || v->size() != 4) return std::nullopt;
  return read_u32(*v, 0);
}

bool stun_message::use_candidate() const noexcept { return attribute(stun_attribute::use_candidate).has_value(); }

std::optional<uint64_t> stun_message::ice_controlling() const noexcept {
  const auto v = attribute(stun_attribute::ice_controlling);
  if (!v || v->size() != 8) return std::nullopt;
  return read_u64(*v, 0);
}

std::optional<uint64_t> stun_message::ice_controlled() const noexcept {
  const auto v = attribute(stun_attribute::ice_controlled);
  if (!v || v->size() != 8) return std::nullopt;
  return read_u64(*v, 0);
}

std::optional<stun_address> stun_message::xor_mapped_address() const noexcept {
  const auto v = attribute(stun_attribute::xor_mapped_address);
  if (!v || v->size() < 8) return std::nullopt;
  stun_address a;
  a.port = static_cast<uint16_t>(read_u16(*v, 2) ^ (stun_magic_cookie >> 16));
  std::array<uint8_t, 16> mask{};
  write_u32(mask, 0, stun_magic_cookie);
  std::copy_n(transaction_id().begin(), stun_transaction_id_size, mask.begin() + 4);
  if ((*v)[1] == 0x01 && v->size() == 8) {
    a.fam = stun_address::family::ipv4;
    for (size_t i = 0; i < 4; ++i) a.address[i] = (*v)[4 + i] ^ mask[i];
  } else if ((*v)[1] == 0x02 && v->size() == 20) {
    a.fam = stun_address::family::ipv6;
    for (size_t i = 0; i < 16; ++i) a.address[i] = (*v)[4 + i] ^ mask[i];
  } else {
    return std::nullopt;
  }
  return a;
}

std::optional<stun_error_code> stun_message::error_code() const noexcept {
  const auto v = attribute(stun_attribute::error_code);
  if (!v || v->size() < 4) return std::nullopt;
  const unsigned hundreds = (*v)[2] & 0x7;
  const unsigned number = (*v)[3];
  if (hundreds < 3 || hundreds > 6 || number > 99) return std::nullopt;
  return stun_error_code{static_cast<uint16_t>(hundreds * 100 + number), as_text(v->subspan(4))};
}

bool stun_message::verify_message_integrity(std::span<const uint8_t> key) const noexcept {
  if (integrity_offset_ == 0) return false;
  const auto h = header_with_length(data_, integrity_offset_ + integrity_attribute_size - stun_header_size);
  std::array<uint8_t, stun_message_integrity_size> expected{};
  if (!hmac_sha1(key, h, data_.subspan(stun_header_size, integrity_offset_ - stun_header_size), expected)) return false;
  const auto got = data_.subspan(integrity_offset_ + attribute_header_size, stun_message_integrity_size);
  return CRYPTO_memcmp(expected.data(), got.data(), expected.size()) == 0;
}

bool stun_message::verify_fingerprint() const noexcept {
  if (fingerprint_offset_ == 0) return false;
  return fingerprint_over(data_, fingerprint_offset_) == read_u32(data_, fingerprint_offset_ + attribute_header_size);
}

stun_message_writer::stun_message_writer(std::span<uint8_t> out, uint16_t type,
                                         std::span<const uint8_t, stun_transaction_id_size> id) noexcept
    : out_(out) {
  if (out_.size() < stun_header_size) {
    overflow_ = true;
    return;
  }
  write_u16(out_, 0, type & 0x3FFF);
  write_u16(out_, 2, 0);
  write_u32(out_, 4, stun_magic_cookie);
  std::copy(id.begin(), id.end(), out_.begin() + 8);
  size_ = stun_header_size;
}

std::span<uint8_t> stun_message_writer::reserve_attribute(uint16_t type, size_t length) noexcept {
  const size_t total = attribute_header_size + padded(length);
  if (overflow_ || length > 0xFFFF || total > out_.size() - size_ || size_ + total - stun_header_size > 0xFFFF) {
    overflow_ = true;
    return {};
  }
  write_u16(out_, size_, type);
  write_u16(out_, size_ + 2, static_cast<uint16_t>(length));
  std::fill(out_.begin() + static_cast<std::ptrdiff_t>(size_ + attribute_header_size + length),
            out_.begin() + static_cast<std::ptrdiff_t>(size_ + total), padding_byte_);
  auto value = out_.subspan(size_ + attribute_header_size, length);
  size_ += total;
  return value;
}

void stun_message_writer::set_length(size_t body_length) noexcept {
  write_u16(out_, 2, static_cast<uint16_t>(body_length));
}

void stun_message_writer::add_attribute(uint16_t type, std::span<const uint8_t> value) noexcept {
  auto v = reserve_attribute(type, value.size());
  if (!overflow_) std::copy(value.begin(), value.end(), v.begin());
}

void stun_message_writer::add_username(std::string_view s) noexcept {
  add_attribute(stun_attribute::username, {reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

void stun_message_writer::add_software(std::string_view s) noexcept {
  add_attribute(stun_attribute::software, {reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

void stun_message_writer::add_priority(uint32_t priority) noexcept {
  auto v = reserve_attribute(stun_attribute::priority, 4);
  if (!overflow_) write_u32(v, 0, priority);
}

void stun_message_writer::add_use_candidate() noexcept { (void)reserve_attribute(stun_attribute::use_candidate, 0); }

void stun_message_writer::add_ice_controlling(uint64_t tie_breaker) noexcept {
  auto v = reserve_attribute(stun_attribute::ice_controlling, 8);
  if (!overflow_) write_u64(v, 0, tie_breaker);
}

void stun_message_writer::add_ice_controlled(uint64_t tie_breaker) noexcept {
  auto v = reserve_attribute(stun_attribute::ice_controlled, 8);
  if (!overflow_) write_u64(v, 0, tie_breaker);
}

void stun_message_writer::add_xor_mapped_address(const stun_address& a) noexcept {
  const bool v6 = a.fam == stun_address::family::ipv6;
  auto v = reserve_attribute(stun_attribute::xor_mapped_address, v6 ? 20 : 8);
  if (overflow_) return;
  std::array<uint8_t, 16> mask{};
  write_u32(mask, 0, stun_magic_cookie);
  std::copy_n(out_.begin() + 8, stun_transaction_id_size, mask.begin() + 4);
  v[0] = 0;
  v[1] = v6 ? 0x02 : 0x01;
  write_u16(v, 2, static_cast<uint16_t>(a.port ^ (stun_magic_cookie >> 16)));
  const size_t n = v6 ? 16 : 4;
  for (size_t i = 0; i < n; ++i) v[4 + i] = a.address[i] ^ mask[i];
}

void stun_message_writer::add_error_code(uint16_t code, std::string_view reason) noexcept {
  auto v = reserve_attribute(stun_attribute::error_code, 4 + reason.size());
  if (overflow_) return;
  v[0] = 0;
  v[1] = 0;
  v[2] = static_cast<uint8_t>((code / 100) & 0x7);
  v[3] = static_cast<uint8_t>(code % 100);
  std::copy(reason.begin(), reason.end(), v.begin() + 4);
}

void stun_message_writer::add_message_integrity(std::span<const uint8_t> key) noexcept {
  const size_t covered = size_;
  auto v = reserve_attribute(stun_attribute::message_integrity, stun_message_integrity_size);
  if (overflow_) return;
  set_length(size_ - stun_header_size);
  const std::span<const uint8_t> msg = out_.first(covered);
  if (!hmac_sha1(key, msg.first(stun_header_size), msg.subspan(stun_header_size),
                 v.first<stun_message_integrity_size>()))
    overflow_ = true;  // no crypto means no valid message; report it like any failure to write
}

void stun_message_writer::add_fingerprint() noexcept {
  const size_t offset = size_;
  auto v = reserve_attribute(stun_attribute::fingerprint, 4);
  if (overflow_) return;
  write_u32(v, 0, fingerprint_over(out_.first(size_), offset));
}

std::optional<size_t> stun_message_writer::finish() noexcept {
  if (overflow_) return std::nullopt;
  set_length(size_ - stun_header_size);
  return size_;
}

std::optional<size_t> write_binding_success(std::span<uint8_t> out, std::span<const uint8_t, stun_transaction_id_size> id,
                                            const stun_address& mapped,
                                            std::span<const uint8_t> local_password) noexcept {
  stun_message_writer w(out, stun_message_type(stun_method::binding, stun_class::success_response), id);
  w.add_xor_mapped_address(mapped);
  w.add_message_integrity(local_password);
  w.add_fingerprint();
  return w.finish();
}

}  // namespace parley::media
