// Maps Parley's SRTP profiles onto libsrtp2 policies and its status codes onto srtp_status.
#include "media/srtp_session.hpp"

#include <srtp2/srtp.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <utility>

namespace parley::media {
namespace {

static_assert(srtp_session::max_overhead >= SRTP_MAX_TRAILER_LEN + 4);

// Large enough for video bursts reordered by the network; libsrtp's default of 128 drops
// legitimately late packets at high bitrates.
constexpr unsigned long replay_window = 1024;

srtp_status map_status(srtp_err_status_t s) noexcept {
  switch (s) {
    case srtp_err_status_ok: return srtp_status::ok;
    case srtp_err_status_auth_fail: return srtp_status::auth_fail;
    case srtp_err_status_replay_fail: return srtp_status::replay;
    case srtp_err_status_replay_old: return srtp_status::replay_old;
    default: return srtp_status::library_error;
  }
}

void set_policy(srtp_profile p, srtp_crypto_policy_t& rtp, srtp_crypto_policy_t& rtcp) noexcept {
  switch (p) {
    case srtp_profile::aes_cm_128_hmac_sha1_80:
      // srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 is a macro for this function.
      srtp_crypto_policy_set_rtp_default(&rtp);
      srtp_crypto_policy_set_rtcp_default(&rtcp);
      return;
    case srtp_profile::aead_aes_128_gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtcp);
      return;
    case srtp_profile::aead_aes_256_gcm:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtcp);
      return;
  }
}

// Header sizes below which libsrtp would read past the packet.
constexpr size_t rtp_header_min = 12;
constexpr size_t rtcp_header_min = 8;

}  // namespace

bool ensure_srtp_initialized() noexcept {
  static const bool ok = srtp_init() == srtp_err_status_ok;
  return ok;
}

std::optional<srtp_session> srtp_session::create(direction dir, srtp_profile profile,
                                                 std::span<const uint8_t> master, srtp_status* error) noexcept {
  auto report = [error](srtp_status s) -> std::optional<srtp_session> {
    if (error != nullptr) *error = s;
    return std::nullopt;
  };
  if (!ensure_srtp_initialized()) return report(srtp_status::library_error);
  if (master.size() != srtp_master_length(profile)) return report(srtp_status::bad_key);

  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  set_policy(profile, policy.rtp, policy.rtcp);
  policy.ssrc.type = dir == direction::inbound ? ssrc_any_inbound : ssrc_any_outbound;
  // libsrtp copies the key during srtp_create; the buffer is only borrowed.
  std::array<uint8_t, srtp_max_master_length> key{};
  std::copy(master.begin(), master.end(), key.begin());
  policy.key = key.data();
  policy.window_size = replay_window;
  // NACK answers resend a packet with its original sequence number; without this libsrtp
  // refuses to protect it a second time.
  policy.allow_repeat_tx = dir == direction::outbound ? 1 : 0;
  policy.next = nullptr;

  srtp_t ctx = nullptr;
  const srtp_err_status_t s = srtp_create(&ctx, &policy);
  std::fill(key.begin(), key.end(), uint8_t{0});
  if (s != srtp_err_status_ok) return report(map_status(s));
  if (error != nullptr) *error = srtp_status::ok;
  return srtp_session(ctx, dir, profile);
}

srtp_session::srtp_session(srtp_session&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)), direction_(other.direction_), profile_(other.profile_) {}

srtp_session& srtp_session::operator=(srtp_session&& other) noexcept {
  if (this != &other) {
    if (ctx_ != nullptr) srtp_dealloc(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
    direction_ = other.direction_;
    profile_ = other.profile_;
  }
  return *this;
}

srtp_session::~srtp_session() {
  if (ctx_ != nullptr) srtp_dealloc(ctx_);
}

srtp_status srtp_session::protect_rtp(std::span<uint8_t> buffer, size_t& length) noexcept {
  if (direction_ != direction::outbound || ctx_ == nullptr) return srtp_status::library_error;
  if (length < rtp_header_min || length > buffer.size()) return srtp_status::too_short;
  if (buffer.size() - length < max_overhead || length > INT_MAX - max_overhead) return srtp_status::no_room;
  int n = static_cast<int>(length);
  const auto s = map_status(srtp_protect(ctx_, buffer.data(), &n));
  if (s == srtp_status::ok) length = static_cast<size_t>(n);
  return s;
}

srtp_status srtp_session::protect_rtcp(std::span<uint8_t> buffer, size_t& length) noexcept {
  if (direction_ != direction::outbound || ctx_ == nullptr) return srtp_status::library_error;
  if (length < rtcp_header_min || length > buffer.size()) return srtp_status::too_short;
  if (buffer.size() - length < max_overhead || length > INT_MAX - max_overhead) return srtp_status::no_room;
  int n = static_cast<int>(length);
  const auto s = map_status(srtp_protect_rtcp(ctx_, buffer.data(), &n));
  if (s == srtp_status::ok) length = static_cast<size_t>(n);
  return s;
}

srtp_status srtp_session::unprotect_rtp(std::span<uint8_t> buffer, size_t& length) noexcept {
  if (direction_ != direction::inbound || ctx_ == nullptr) return srtp_status::library_error;
  if (length < rtp_header_min || length > buffer.size() || length > INT_MAX) return srtp_status::too_short;
  int n = static_cast<int>(length);
  const auto s = map_status(srtp_unprotect(ctx_, buffer.data(), &n));
  if (s == srtp_status::ok) length = static_cast<size_t>(n);
  return s;
}

srtp_status srtp_session::unprotect_rtcp(std::span<uint8_t> buffer, size_t& length) noexcept {
  if (direction_ != direction::inbound || ctx_ == nullptr) return srtp_status::library_error;
  if (length < rtcp_header_min || length > buffer.size() || length > INT_MAX) return srtp_status::too_short;
  int n = static_cast<int>(length);
  const auto s = map_status(srtp_unprotect_rtcp(ctx_, buffer.data(), &n));
  if (s == srtp_status::ok) length = static_cast<size_t>(n);
  return s;
}

}  // namespace parley::media
