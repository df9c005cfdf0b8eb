// SRTP and SRTCP for AEAD_AES_256_GCM, AEAD_AES_128_GCM (RFC 7714) and AES_CM_128_HMAC_SHA1_80
// (RFC 3711) on OpenSSL EVP. Session keys are derived once (RFC 3711 §4.3, AES-CM PRF) and
// kept in cipher and MAC contexts that each packet only re-IVs.
#include "media/srtp_session.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "media/srtp_packet_index.hpp"

namespace parley::media {
namespace {

static_assert(srtp_session::max_overhead >= 16 + 4);

// RFC 3711 §4.3.1 key derivation labels.
constexpr uint8_t label_rtp_encryption = 0x00;
constexpr uint8_t label_rtp_auth = 0x01;
constexpr uint8_t label_rtp_salt = 0x02;
constexpr uint8_t label_rtcp_encryption = 0x03;
constexpr uint8_t label_rtcp_auth = 0x04;
constexpr uint8_t label_rtcp_salt = 0x05;

constexpr size_t gcm_tag_size = 16;
constexpr size_t hmac_key_size = 20;
constexpr size_t hmac_tag_size = 10;  // HMAC-SHA1 truncated to 80 bits
constexpr size_t srtcp_index_size = 4;
constexpr uint32_t srtcp_encrypted_flag = 0x80000000u;
constexpr uint32_t srtcp_index_max = 0x7FFFFFFFu;

// Header sizes below which nothing can be parsed.
constexpr size_t rtp_header_min = 12;
constexpr size_t rtcp_header_min = 8;
// A session keeps state per SSRC; a peer cannot make it grow without bound.
constexpr size_t max_streams = 4096;

uint32_t read_u32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void write_u32(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

bool is_gcm(srtp_profile p) noexcept { return p != srtp_profile::aes_cm_128_hmac_sha1_80; }

const EVP_CIPHER* ctr_cipher(size_t key_size) noexcept {
  return key_size == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
}

const EVP_CIPHER* gcm_cipher(size_t key_size) noexcept {
  return key_size == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
}

struct cipher_ctx_deleter {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
struct mac_ctx_deleter {
  void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};
using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;
using mac_ctx = std::unique_ptr<EVP_MAC_CTX, mac_ctx_deleter>;

// RFC 3711 §4.3.1/§4.3.3 with a key derivation rate of 0: AES-CM keystream under the master
// key, IV = (master salt XOR label at octet 7) || 0x0000. A 96-bit AEAD salt is used as the
// first 12 of the 14 salt octets (RFC 7714 §12), as libsrtp does.
bool derive(std::span<const uint8_t> master_key, std::span<const uint8_t> master_salt, uint8_t label,
            std::span<uint8_t> out) noexcept {
  std::array<uint8_t, 16> iv{};
  std::copy(master_salt.begin(), master_salt.end(), iv.begin());
  iv[7] ^= label;
  cipher_ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), ctr_cipher(master_key.size()), nullptr, master_key.data(), iv.data()) != 1)
    return false;
  std::fill(out.begin(), out.end(), uint8_t{0});
  int n = 0;
  const bool ok = EVP_EncryptUpdate(ctx.get(), out.data(), &n, out.data(), static_cast<int>(out.size())) == 1 &&
                  static_cast<size_t>(n) == out.size();
  return ok;
}

// Size of the RTP header including CSRCs and the extension, or 0 if it does not fit.
size_t rtp_header_size(const uint8_t* p, size_t length) noexcept {
  if (length < rtp_header_min) return 0;
  size_t size = rtp_header_min + 4 * size_t{static_cast<uint8_t>(p[0] & 0x0F)};
  if ((p[0] & 0x10) != 0) {
    if (size + 4 > length) return 0;
    size += 4 + 4 * ((size_t{p[size + 2]} << 8) | p[size + 3]);
  }
  return size <= length ? size : 0;
}

}  // namespace

// Keys and contexts for one of RTP or RTCP.
struct srtp_keys {
  cipher_ctx cipher;  // AES-CTR or AES-GCM, keyed once
  mac_ctx mac;        // HMAC-SHA1 keyed once (AES-CM profile only)
  std::array<uint8_t, 14> salt{};
};

struct srtp_session::state {
  srtp_keys rtp;
  srtp_keys rtcp;
  std::unordered_map<uint32_t, srtp_packet_index> rtp_streams;
  struct rtcp_stream {
    uint32_t sent = 0;  // last SRTCP index used (outbound)
    srtcp_replay_list received;
  };
  std::unordered_map<uint32_t, rtcp_stream> rtcp_streams;
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
};

namespace {

bool make_keys(srtp_profile profile, bool outbound, std::span<const uint8_t> master, bool for_rtcp,
               srtp_keys& keys) noexcept {
  const size_t key_size = srtp_key_length(profile);
  const auto master_key = master.first(key_size);
  const auto master_salt = master.subspan(key_size);
  std::array<uint8_t, 32> session_key{};
  const auto key = std::span(session_key).first(key_size);
  const size_t salt_size = srtp_salt_length(profile);
  bool ok = derive(master_key, master_salt, for_rtcp ? label_rtcp_encryption : label_rtp_encryption, key) &&
            derive(master_key, master_salt, for_rtcp ? label_rtcp_salt : label_rtp_salt,
                   std::span(keys.salt).first(salt_size));
  keys.cipher.reset(EVP_CIPHER_CTX_new());
  const EVP_CIPHER* cipher = is_gcm(profile) ? gcm_cipher(key_size) : ctr_cipher(key_size);
  ok = ok && keys.cipher &&
       (outbound || !is_gcm(profile) ? EVP_EncryptInit_ex(keys.cipher.get(), cipher, nullptr, key.data(), nullptr)
                                     : EVP_DecryptInit_ex(keys.cipher.get(), cipher, nullptr, key.data(), nullptr)) == 1;
  if (ok && !is_gcm(profile)) {
    std::array<uint8_t, hmac_key_size> auth_key{};
    ok = derive(master_key, master_salt, for_rtcp ? label_rtcp_auth : label_rtp_auth, auth_key);
    EVP_MAC* hmac = ok ? EVP_MAC_fetch(nullptr, "HMAC", nullptr) : nullptr;
    if (hmac != nullptr) {
      keys.mac.reset(EVP_MAC_CTX_new(hmac));
      EVP_MAC_free(hmac);
    }
    char digest_name[] = "SHA1";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                 OSSL_PARAM_construct_end()};
    ok = ok && keys.mac && EVP_MAC_init(keys.mac.get(), auth_key.data(), auth_key.size(), params) == 1;
    OPENSSL_cleanse(auth_key.data(), auth_key.size());
  }
  OPENSSL_cleanse(session_key.data(), session_key.size());
  return ok;
}

// HMAC-SHA1 over `a` then `b` with the session's auth key; the full digest into `out`.
bool hmac(EVP_MAC_CTX* mac, std::span<const uint8_t> a, std::span<const uint8_t> b, uint8_t* out) noexcept {
  size_t n = 0;
  return EVP_MAC_init(mac, nullptr, 0, nullptr) == 1 && EVP_MAC_update(mac, a.data(), a.size()) == 1 &&
         EVP_MAC_update(mac, b.data(), b.size()) == 1 && EVP_MAC_final(mac, out, &n, EVP_MAX_MD_SIZE) == 1 &&
         n >= hmac_tag_size;
}

// AES-CM keystream over `data` in place with IV = (salt || 0x0000) XOR (SSRC at octet 4,
// 48-bit index at octets 8..13).
bool ctr_crypt(EVP_CIPHER_CTX* ctx, const std::array<uint8_t, 14>& salt, uint32_t ssrc, uint64_t index,
               std::span<uint8_t> data) noexcept {
  std::array<uint8_t, 16> iv{};
  std::copy(salt.begin(), salt.end(), iv.begin());
  iv[4] ^= static_cast<uint8_t>(ssrc >> 24);
  iv[5] ^= static_cast<uint8_t>(ssrc >> 16);
  iv[6] ^= static_cast<uint8_t>(ssrc >> 8);
  iv[7] ^= static_cast<uint8_t>(ssrc);
  for (int i = 0; i < 6; ++i) iv[static_cast<size_t>(8 + i)] ^= static_cast<uint8_t>(index >> (40 - 8 * i));
  int n = 0;
  return EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data()) == 1 &&
         (data.empty() ||
          EVP_EncryptUpdate(ctx, data.data(), &n, data.data(), static_cast<int>(data.size())) == 1);
}

// RFC 7714 §8.1 / §9.1 IV: 0x0000 || SSRC || (ROC || SEQ, or 0x0000 || SRTCP index), XOR salt.
std::array<uint8_t, 12> gcm_iv(const std::array<uint8_t, 14>& salt, uint32_t ssrc, uint64_t low48) noexcept {
  std::array<uint8_t, 12> iv{};
  write_u32(iv.data() + 2, ssrc);
  for (int i = 0; i < 6; ++i) iv[static_cast<size_t>(6 + i)] = static_cast<uint8_t>(low48 >> (40 - 8 * i));
  for (size_t i = 0; i < iv.size(); ++i) iv[i] ^= salt[i];
  return iv;
}

// AES-GCM in place: `aad1` and `aad2` authenticated, `data` encrypted (or decrypted), tag
// written to (or checked against) `tag`.
bool gcm_seal(EVP_CIPHER_CTX* ctx, const std::array<uint8_t, 12>& iv, std::span<const uint8_t> aad1,
              std::span<const uint8_t> aad2, std::span<uint8_t> data, uint8_t* tag) noexcept {
  int n = 0;
  return EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data()) == 1 &&
         EVP_EncryptUpdate(ctx, nullptr, &n, aad1.data(), static_cast<int>(aad1.size())) == 1 &&
         (aad2.empty() || EVP_EncryptUpdate(ctx, nullptr, &n, aad2.data(), static_cast<int>(aad2.size())) == 1) &&
         (data.empty() || EVP_EncryptUpdate(ctx, data.data(), &n, data.data(), static_cast<int>(data.size())) == 1) &&
         EVP_EncryptFinal_ex(ctx, data.data() + data.size(), &n) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(gcm_tag_size), tag) == 1;
}

bool gcm_open(EVP_CIPHER_CTX* ctx, const std::array<uint8_t, 12>& iv, std::span<const uint8_t> aad1,
              std::span<const uint8_t> aad2, std::span<uint8_t> data, const uint8_t* tag) noexcept {
  int n = 0;
  std::array<uint8_t, gcm_tag_size> expected{};
  std::copy_n(tag, gcm_tag_size, expected.begin());
  return EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data()) == 1 &&
         EVP_DecryptUpdate(ctx, nullptr, &n, aad1.data(), static_cast<int>(aad1.size())) == 1 &&
         (aad2.empty() || EVP_DecryptUpdate(ctx, nullptr, &n, aad2.data(), static_cast<int>(aad2.size())) == 1) &&
         (data.empty() || EVP_DecryptUpdate(ctx, data.data(), &n, data.data(), static_cast<int>(data.size())) == 1) &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(gcm_tag_size), expected.data()) == 1 &&
         EVP_DecryptFinal_ex(ctx, data.data() + data.size(), &n) == 1;
}

srtp_status replay_status(replay_check c) noexcept {
  switch (c) {
    case replay_check::fresh: return srtp_status::ok;
    case replay_check::repeated: return srtp_status::replay;
    case replay_check::too_old: return srtp_status::replay_old;
  }
  return srtp_status::library_error;
}

}  // namespace

bool ensure_srtp_initialized() noexcept {
  static const bool ok = [] {
    EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    const bool found = hmac != nullptr && EVP_aes_128_gcm() != nullptr && EVP_aes_256_gcm() != nullptr &&
                       EVP_aes_128_ctr() != nullptr && EVP_aes_256_ctr() != nullptr;
    EVP_MAC_free(hmac);
    return found;
  }();
  return ok;
}

srtp_session::srtp_session(std::unique_ptr<state> s, direction dir, srtp_profile profile) noexcept
    : state_(std::move(s)), direction_(dir), profile_(profile) {}

std::optional<srtp_session> srtp_session::create(direction dir, srtp_profile profile,
                                                 std::span<const uint8_t> master, srtp_status* error) noexcept {
  auto report = [error](srtp_status s) -> std::optional<srtp_session> {
    if (error != nullptr) *error = s;
    return std::nullopt;
  };
  if (!ensure_srtp_initialized()) return report(srtp_status::library_error);
  if (master.size() != srtp_master_length(profile)) return report(srtp_status::bad_key);
  std::unique_ptr<state> s;
  try {
    s = std::make_unique<state>();
    s->rtp_streams.reserve(16);
    s->rtcp_streams.reserve(16);
  } catch (...) {
    return report(srtp_status::library_error);
  }
  const bool outbound = dir == direction::outbound;
  if (!make_keys(profile, outbound, master, false, s->rtp) || !make_keys(profile, outbound, master, true, s->rtcp))
    return report(srtp_status::library_error);
  if (error != nullptr) *error = srtp_status::ok;
  return srtp_session(std::move(s), dir, profile);
}

srtp_session::srtp_session(srtp_session&& other) noexcept = default;
srtp_session& srtp_session::operator=(srtp_session&& other) noexcept = default;
srtp_session::~srtp_session() = default;

srtp_status srtp_session::protect_rtp(std::span<uint8_t> buffer, size_t& length) noexcept {
  if (direction_ != direction::outbound || !state_) return srtp_status::library_error;
  if (length < rtp_header_min || length > buffer.size()) return srtp_status::too_short;
  if (buffer.size() - length < max_overhead || length > INT_MAX - max_overhead) return srtp_status::no_room;
  uint8_t* p = buffer.data();
  const size_t header = rtp_header_size(p, length);
  if (header == 0) return srtp_status::library_error;
  const uint32_t ssrc = read_u32(p + 8);
  const auto sequence = static_cast<uint16_t>((p[2] << 8) | p[3]);
  auto it = state_->rtp_streams.find(ssrc);
  if (it == state_->rtp_streams.end()) {
    if (state_->rtp_streams.size() >= max_streams) return srtp_status::library_error;
    try {
      it = state_->rtp_streams.emplace(ssrc, srtp_packet_index{}).first;
    } catch (...) {
      return srtp_status::library_error;
    }
  }
  const auto e = it->second.estimate_for(sequence);
  // A repeated index is allowed out (a NACK answer resends a packet as it was); one older
  // than the window is not.
  if (it->second.check(e.delta) == replay_check::too_old) return srtp_status::replay_old;
  const auto payload = buffer.subspan(header, length - header);
  auto& keys = state_->rtp;
  if (is_gcm(profile_)) {
    const auto iv = gcm_iv(keys.salt, ssrc, e.index);
    if (!gcm_seal(keys.cipher.get(), iv, buffer.first(header), {}, payload, p + length))
      return srtp_status::library_error;
    length += gcm_tag_size;
  } else {
    if (!ctr_crypt(keys.cipher.get(), keys.salt, ssrc, e.index, payload)) return srtp_status::library_error;
    std::array<uint8_t, 4> roc{};
    write_u32(roc.data(), static_cast<uint32_t>(e.index >> 16));
    if (!hmac(keys.mac.get(), buffer.first(length), roc, state_->digest.data())) return srtp_status::library_error;
    std::copy_n(state_->digest.begin(), hmac_tag_size, p + length);
    length += hmac_tag_size;
  }
  it->second.accept(e);
  return srtp_status::ok;
}

srtp_status srtp_session::unprotect_rtp(std::span<uint8_t> buffer, size_t& length) noexcept {
  if (direction_ != direction::inbound || !state_) return srtp_status::library_error;
  if (length < rtp_header_min || length > buffer.size() || length > INT_MAX) return srtp_status::too_short;
  uint8_t* p = buffer.data();
  const size_t tag = is_gcm(profile_) ? gcm_tag_size : hmac_tag_size;
  const size_t header = rtp_header_size(p, length);
  if (header == 0) return srtp_status::library_error;
  if (length - header < tag) return srtp_status::auth_fail;
  const uint32_t ssrc = read_u32(p + 8);
  const auto sequence = static_cast<uint16_t>((p[2] << 8) | p[3]);
  const auto it = state_->rtp_streams.find(ssrc);
  static const srtp_packet_index fresh_stream{};
  const srtp_packet_index& index = it == state_->rtp_streams.end() ? fresh_stream : it->second;
  const auto e = index.estimate_for(sequence);
  if (const auto s = replay_status(index.check(e.delta)); s != srtp_status::ok) return s;
  const size_t body = length - tag;
  auto& keys = state_->rtp;
  if (is_gcm(profile_)) {
    const auto iv = gcm_iv(keys.salt, ssrc, e.index);
    if (!gcm_open(keys.cipher.get(), iv, buffer.first(header), {}, buffer.subspan(header, body - header), p + body))
      return srtp_status::auth_fail;
  } else {
    std::array<uint8_t, 4> roc{};
    write_u32(roc.data(), static_cast<uint32_t>(e.index >> 16));
    if (!hmac(keys.mac.get(), buffer.first(body), roc, state_->digest.data())) return srtp_status::library_error;
    if (CRYPTO_memcmp(state_->digest.data(), p + body, hmac_tag_size) != 0) return srtp_status::auth_fail;
    if (!ctr_crypt(keys.cipher.get(), keys.salt, ssrc, e.index, buffer.subspan(header, body - header)))
      return srtp_status::library_error;
  }
  // Only an authenticated packet creates or moves a stream's state.
  if (it == state_->rtp_streams.end()) {
    if (state_->rtp_streams.size() >= max_streams) return srtp_status::library_error;
    try {
      state_->rtp_streams.emplace(ssrc, srtp_packet_index{}).first->second.accept(e);
    } catch (...) {
      return srtp_status::library_error;
    }
  } else {
    it->second.accept(e);
  }
  length = body;
  return srtp_status::ok;
}

srtp_status srtp_session::protect_rtcp(std::span<uint8_t> buffer, size_t& length) noexcept {
  if (direction_ != direction::outbound || !state_) return srtp_status::library_error;
  if (length < rtcp_header_min || length > buffer.size()) return srtp_status::too_short;
  if (buffer.size() - length < max_overhead || length > INT_MAX - max_overhead) return srtp_status::no_room;
  uint8_t* p = buffer.data();
  const uint32_t ssrc = read_u32(p + 4);
  auto it = state_->rtcp_streams.find(ssrc);
  if (it == state_->rtcp_streams.end()) {
    if (state_->rtcp_streams.size() >= max_streams) return srtp_status::library_error;
    try {
      it = state_->rtcp_streams.emplace(ssrc, state::rtcp_stream{}).first;
    } catch (...) {
      return srtp_status::library_error;
    }
  }
  if (it->second.sent >= srtcp_index_max) return srtp_status::library_error;  // the key must be renewed
  const uint32_t index = it->second.sent + 1;
  std::array<uint8_t, srtcp_index_size> trailer{};
  write_u32(trailer.data(), srtcp_encrypted_flag | index);
  const auto body = buffer.subspan(rtcp_header_min, length - rtcp_header_min);
  auto& keys = state_->rtcp;
  if (is_gcm(profile_)) {
    const auto iv = gcm_iv(keys.salt, ssrc, index);
    if (!gcm_seal(keys.cipher.get(), iv, buffer.first(rtcp_header_min), trailer, body, p + length))
      return srtp_status::library_error;
    length += gcm_tag_size;
    std::copy(trailer.begin(), trailer.end(), p + length);
    length += srtcp_index_size;
  } else {
    if (!ctr_crypt(keys.cipher.get(), keys.salt, ssrc, index, body)) return srtp_status::library_error;
    std::copy(trailer.begin(), trailer.end(), p + length);
    length += srtcp_index_size;
    if (!hmac(keys.mac.get(), buffer.first(length), {}, state_->digest.data())) return srtp_status::library_error;
    std::copy_n(state_->digest.begin(), hmac_tag_size, p + length);
    length += hmac_tag_size;
  }
  it->second.sent = index;
  return srtp_status::ok;
}

srtp_status srtp_session::unprotect_rtcp(std::span<uint8_t> buffer, size_t& length) noexcept {
  if (direction_ != direction::inbound || !state_) return srtp_status::library_error;
  if (length < rtcp_header_min || length > buffer.size() || length > INT_MAX) return srtp_status::too_short;
  const bool gcm = is_gcm(profile_);
  const size_t tag = gcm ? gcm_tag_size : hmac_tag_size;
  if (length < rtcp_header_min + tag + srtcp_index_size) return srtp_status::auth_fail;
  uint8_t* p = buffer.data();
  const uint32_t ssrc = read_u32(p + 4);
  // GCM: header | ciphertext | tag | E+index. AES-CM: header | ciphertext | E+index | tag.
  const size_t trailer_at = gcm ? length - srtcp_index_size : length - tag - srtcp_index_size;
  const uint32_t word = read_u32(p + trailer_at);
  // Unencrypted SRTCP (E = 0) is never negotiated by Parley's peers; refuse it.
  if ((word & srtcp_encrypted_flag) == 0) return srtp_status::auth_fail;
  const uint32_t index = word & srtcp_index_max;
  const auto it = state_->rtcp_streams.find(ssrc);
  if (it != state_->rtcp_streams.end()) {
    if (const auto s = replay_status(it->second.received.check(index)); s != srtp_status::ok) return s;
  }
  const size_t body_end = gcm ? length - srtcp_index_size - tag : trailer_at;
  const auto body = buffer.subspan(rtcp_header_min, body_end - rtcp_header_min);
  auto& keys = state_->rtcp;
  if (gcm) {
    std::array<uint8_t, srtcp_index_size> trailer{};
    std::copy_n(p + trailer_at, srtcp_index_size, trailer.begin());
    const auto iv = gcm_iv(keys.salt, ssrc, index);
    if (!gcm_open(keys.cipher.get(), iv, buffer.first(rtcp_header_min), trailer, body, p + body_end))
      return srtp_status::auth_fail;
  } else {
    if (!hmac(keys.mac.get(), buffer.first(length - tag), {}, state_->digest.data())) return srtp_status::library_error;
    if (CRYPTO_memcmp(state_->digest.data(), p + length - tag, hmac_tag_size) != 0) return srtp_status::auth_fail;
    if (!ctr_crypt(keys.cipher.get(), keys.salt, ssrc, index, body)) return srtp_status::library_error;
  }
  if (it == state_->rtcp_streams.end()) {
    if (state_->rtcp_streams.size() >= max_streams) return srtp_status::library_error;
    try {
      state_->rtcp_streams.emplace(ssrc, state::rtcp_stream{}).first->second.received.accept(index);
    } catch (...) {
      return srtp_status::library_error;
    }
  } else {
    it->second.received.accept(index);
  }
  length = body_end;
  return srtp_status::ok;
}

}  // namespace parley::media
