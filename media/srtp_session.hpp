// SRTP/SRTCP (RFC 3711, RFC 7714) for one direction of one transport, in place, on OpenSSL
// EVP contexts made once per session: no allocation, lock or key setup per packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "media/srtp_profile.hpp"

namespace parley::media {

enum class srtp_status : uint8_t {
  ok,
  auth_fail,         // tag did not verify: tampered, or keyed for another session
  replay,            // index already seen (replay_fail)
  replay_old,        // index older than the replay window
  too_short,         // not even a header
  no_room,           // buffer lacks space for the tag (protect)
  bad_key,           // wrong key length for the profile
  library_error,     // crypto library failure, wrong direction, or a malformed header
};

[[nodiscard]] constexpr std::string_view to_string(srtp_status s) noexcept {
  switch (s) {
    case srtp_status::ok: return "ok";
    case srtp_status::auth_fail: return "auth_fail";
    case srtp_status::replay: return "replay";
    case srtp_status::replay_old: return "replay_old";
    case srtp_status::too_short: return "too_short";
    case srtp_status::no_room: return "no_room";
    case srtp_status::bad_key: return "bad_key";
    case srtp_status::library_error: return "library_error";
  }
  return "unknown";
}

// True once the ciphers every profile needs are available from OpenSSL. Thread-safe.
[[nodiscard]] bool ensure_srtp_initialized() noexcept;

// One direction: an outbound session only protects, an inbound one only unprotects.
// Used from one worker thread; not thread-safe.
class srtp_session {
 public:
  enum class direction : uint8_t { inbound, outbound };

  // What a caller's buffer needs after the packet for protect_* (the SRTP trailer is at most
  // a 16-byte tag plus the 4-byte SRTCP index; the rest is headroom kept from libsrtp's
  // SRTP_MAX_TRAILER_LEN so callers' buffers stay valid either way).
  static constexpr size_t max_overhead = 16 + 128 + 4;

  // `master` is key || salt as srtp_keying_material gives it.
  [[nodiscard]] static std::optional<srtp_session> create(direction dir, srtp_profile profile,
                                                          std::span<const uint8_t> master,
                                                          srtp_status* error = nullptr) noexcept;

  srtp_session(srtp_session&& other) noexcept;
  srtp_session& operator=(srtp_session&& other) noexcept;
  srtp_session(const srtp_session&) = delete;
  srtp_session& operator=(const srtp_session&) = delete;
  ~srtp_session();

  // `buffer` holds the packet in its first `length` bytes and has room for the tag;
  // on ok, `length` is the new size.
  [[nodiscard]] srtp_status protect_rtp(std::span<uint8_t> buffer, size_t& length) noexcept;
  [[nodiscard]] srtp_status protect_rtcp(std::span<uint8_t> buffer, size_t& length) noexcept;
  // In place; on ok `length` shrinks to the plain packet.
  [[nodiscard]] srtp_status unprotect_rtp(std::span<uint8_t> buffer, size_t& length) noexcept;
  [[nodiscard]] srtp_status unprotect_rtcp(std::span<uint8_t> buffer, size_t& length) noexcept;

  [[nodiscard]] srtp_profile profile() const noexcept { return profile_; }
  [[nodiscard]] direction dir() const noexcept { return direction_; }

  struct state;  // keys, cipher contexts and per-SSRC counters (srtp_session.cpp)

 private:
  srtp_session(std::unique_ptr<state> s, direction dir, srtp_profile profile) noexcept;

  std::unique_ptr<state> state_;
  direction direction_;
  srtp_profile profile_;
};

}  // namespace parley::media
