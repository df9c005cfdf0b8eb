// ICE-lite (RFC 8445 §2.5) for one transport: answers checks, picks the remote address, tracks consent.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "media/stun_message.hpp"

namespace parley::media {

// Random ICE string of `length` ice-chars (ALPHA / DIGIT / "+" / "/", RFC 8839 §5.4),
// from OpenSSL's CSPRNG: the password keys MESSAGE-INTEGRITY, so it must be unguessable.
[[nodiscard]] std::string random_ice_string(size_t length);

enum class ice_check_result : uint8_t {
  answered,          // valid check; the response is in the caller's buffer
  not_request,       // not a Binding request (indications and responses are ignored)
  bad_fingerprint,   // missing or wrong FINGERPRINT
  bad_username,      // USERNAME missing or not "<our ufrag>:<their ufrag>"
  bad_integrity,     // MESSAGE-INTEGRITY missing or not under our password
  no_room,           // response buffer too small
};

[[nodiscard]] constexpr std::string_view to_string(ice_check_result r) noexcept {
  switch (r) {
    case ice_check_result::answered: return "answered";
    case ice_check_result::not_request: return "not_request";
    case ice_check_result::bad_fingerprint: return "bad_fingerprint";
    case ice_check_result::bad_username: return "bad_username";
    case ice_check_result::bad_integrity: return "bad_integrity";
    case ice_check_result::no_room: return "no_room";
  }
  return "unknown";
}

struct ice_check_outcome {
  ice_check_result result = ice_check_result::not_request;
  size_t response_size = 0;        // bytes of the Binding success response, when answered
  bool selected_changed = false;  // the check moved the selected remote address
};

class ice_lite_agent {
 public:
  using clock = std::chrono::steady_clock;
  // RFC 7675 §5.1: consent expires 30 s after the last valid check.
  static constexpr std::chrono::seconds consent_timeout{30};

  // Fresh random credentials (8-char ufrag, 24-char password; RFC 8445 asks ≥4 and ≥22).
  ice_lite_agent();
  ice_lite_agent(std::string local_ufrag, std::string local_password);

  [[nodiscard]] const std::string& local_ufrag() const noexcept { return local_ufrag_; }
  [[nodiscard]] const std::string& local_password() const noexcept { return local_password_; }

  // Optional: the peer's ufrag from its SDP. When set, USERNAME must match it exactly;
  // when not, any remote part is accepted (the password still authenticates the check).
  void set_remote_ufrag(std::string ufrag) { remote_ufrag_ = std::move(ufrag); }

  // ICE restart (RFC 8445 §9): new credentials on both sides. The selected address and
  // consent stay until checks with the new credentials arrive, so media keeps flowing.
  void restart(std::string local_ufrag, std::string local_password, std::string remote_ufrag) {
    local_ufrag_ = std::move(local_ufrag);
    local_password_ = std::move(local_password);
    remote_ufrag_ = std::move(remote_ufrag);
    nominated_ = false;
  }

  // Handles one STUN datagram from `source`. Writes a Binding success into `response`
  // when the check is valid; never allocates.
  [[nodiscard]] ice_check_outcome handle(const stun_message& request, const stun_address& source,
                                         clock::time_point now, std::span<uint8_t> response) noexcept;

  // Where media goes: the latest address that sent USE-CANDIDATE, or, before any
  // nomination, the latest address that sent a valid check. Peer-reflexive sources count.
  [[nodiscard]] const std::optional<stun_address>& selected() const noexcept { return selected_; }
  [[nodiscard]] bool nominated() const noexcept { return nominated_; }

  // True once a valid check was seen and none arrived from the selected address for
  // consent_timeout. The browser sends consent checks every ~5 s.
  [[nodiscard]] bool consent_expired(clock::time_point now) const noexcept;
  [[nodiscard]] std::optional<clock::time_point> last_consent() const noexcept { return last_consent_; }

 private:
  [[nodiscard]] bool username_matches(std::string_view username) const noexcept;

  std::string local_ufrag_;
  std::string local_password_;
  std::string remote_ufrag_;
  std::optional<stun_address> selected_;
  bool nominated_ = false;
  std::optional<clock::time_point> last_consent_;
};

}  // namespace parley::media
