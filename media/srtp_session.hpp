// libsrtp2 wrapper: one direction of SRTP/SRTCP for one transport, in place, no per-packet allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/srtp_profile.hpp"

using srtp_t = struct srtp_ctx_t_*;

namespace parley::media {

enum class srtp_status : uint8_t {
  ok,
  auth_fail,         // tag did not verify: tampered, or keyed for another session
  replay,            // index already seen (replay_fail)
  replay_old,        // index older than the replay window
  too_short,         // not even a header
  no_room,           // buffer lacks space for the tag (protect)
  bad_key,           // wrong key length for the profile
  library_error,     // srtp_init failed or any other libsrtp error
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

// srtp_init() fails when called twice without srtp_shutdown(), so every user goes
// through this. Thread-safe; true once the library is initialised.
[[nodiscard]] bool ensure_srtp_initialized() noexcept;

// One direction: an outbound session only protects, an inbound one only unprotects.
// Used from one worker thread; not thread-safe.
class srtp_session {
 public:
  enum class direction : uint8_t { inbound, outbound };

  // What protect_* may append (libsrtp asks for SRTP_MAX_TRAILER_LEN, plus the SRTCP
  // index): a caller's buffer needs this much room after the packet.
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

 private:
  srtp_session(srtp_t ctx, direction dir, srtp_profile profile) noexcept
      : ctx_(ctx), direction_(dir), profile_(profile) {}

  srtp_t ctx_ = nullptr;
  direction direction_;
  srtp_profile profile_;
};

}  // namespace parley::media
