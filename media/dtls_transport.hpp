// DTLS 1.2 over memory (no sockets): handshake, peer fingerprint check, DTLS-SRTP key export.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "media/dtls_certificate.hpp"
#include "media/dtls_context.hpp"
#include "media/srtp_profile.hpp"

using SSL = struct ssl_st;
using BIO = struct bio_st;

namespace parley::media {

// setup:passive answers are the server; the project's load client and tests are clients.
enum class dtls_role : uint8_t { client, server };

enum class dtls_state : uint8_t { idle, connecting, connected, closed, failed };

// Why a transport stopped. Stable names: they end up in logs and stats.
enum class dtls_close_reason : uint8_t {
  close_notify,          // the peer closed cleanly
  local_close,           // close() was called
  handshake_failed,      // protocol error or a fatal alert during the handshake
  fingerprint_mismatch,  // the peer's certificate is not the one its SDP announced
  no_srtp_profile,       // use_srtp did not yield a profile we support
  key_export_failed,
  timeout,               // retransmissions exhausted
  fatal_alert,           // fatal alert or protocol error after the handshake
};

[[nodiscard]] constexpr std::string_view to_string(dtls_close_reason r) noexcept {
  switch (r) {
    case dtls_close_reason::close_notify: return "close_notify";
    case dtls_close_reason::local_close: return "local_close";
    case dtls_close_reason::handshake_failed: return "handshake_failed";
    case dtls_close_reason::fingerprint_mismatch: return "fingerprint_mismatch";
    case dtls_close_reason::no_srtp_profile: return "no_srtp_profile";
    case dtls_close_reason::key_export_failed: return "key_export_failed";
    case dtls_close_reason::timeout: return "timeout";
    case dtls_close_reason::fatal_alert: return "fatal_alert";
  }
  return "unknown";
}

// The SRTP master keys for both directions, already assigned by role (RFC 5764 §4.2):
// `local` protects what we send, `remote` unprotects what we receive.
struct srtp_keying_material {
  srtp_profile profile = srtp_profile::aes_cm_128_hmac_sha1_80;
  std::array<uint8_t, srtp_max_master_length> local{};   // key || salt
  std::array<uint8_t, srtp_max_master_length> remote{};  // key || salt

  [[nodiscard]] std::span<const uint8_t> local_master() const noexcept {
    return std::span(local).first(srtp_master_length(profile));
  }
  [[nodiscard]] std::span<const uint8_t> remote_master() const noexcept {
    return std::span(remote).first(srtp_master_length(profile));
  }
};

class dtls_transport {
 public:
  // Called synchronously from feed(), start(), handle_timeout() and close(); a listener
  // must not destroy the transport from inside a callback.
  class listener {
   public:
    // One DTLS datagram to send to the peer; the span is valid during the call only.
    virtual void on_dtls_send(std::span<const uint8_t> datagram) = 0;
    virtual void on_dtls_connected(const srtp_keying_material& keys) = 0;
    // The peer closed or the transport failed; not called for close().
    virtual void on_dtls_closed(dtls_close_reason reason) = 0;

   protected:
    ~listener() = default;
  };

  // Nullptr only if OpenSSL cannot allocate. `context` must outlive the transport.
  [[nodiscard]] static std::unique_ptr<dtls_transport> create(const dtls_context& context, dtls_role role,
                                                              listener& events);
  ~dtls_transport();
  dtls_transport(const dtls_transport&) = delete;
  dtls_transport& operator=(const dtls_transport&) = delete;

  // The peer's a=fingerprint. Must be set before the peer's certificate arrives; a
  // handshake without it fails rather than trusting an unauthenticated peer.
  [[nodiscard]] bool set_remote_fingerprint(std::string_view sdp_value) noexcept;
  void set_remote_fingerprint(const sha256_digest& digest) noexcept { remote_digest_ = digest; }

  // Overrides the context's SRTP list for this transport: a client's offer, or a server
  // preference. Only before start().
  [[nodiscard]] bool set_srtp_profiles(std::span<const srtp_profile> profiles) noexcept;

  // Client: sends the ClientHello. Server: waits for one.
  void start() noexcept;
  // One datagram from the peer (first byte 20..63).
  void feed(std::span<const uint8_t> datagram) noexcept;
  // Time until the retransmission timer fires, if it is running.
  [[nodiscard]] std::optional<std::chrono::microseconds> next_timeout() const noexcept;
  // Retransmits if the timer expired; fails the transport when retries are exhausted.
  void handle_timeout() noexcept;
  // Sends close_notify.
  void close() noexcept;

  [[nodiscard]] dtls_role role() const noexcept { return role_; }
  [[nodiscard]] dtls_state state() const noexcept { return state_; }
  [[nodiscard]] std::optional<srtp_profile> profile() const noexcept { return profile_; }
  [[nodiscard]] std::optional<dtls_close_reason> close_reason() const noexcept { return close_reason_; }

 private:
  friend struct dtls_transport_callbacks;

  dtls_transport(dtls_role role, listener& events) noexcept : role_(role), events_(events) {}

  void drive() noexcept;
  void finish_handshake() noexcept;
  void read_records() noexcept;
  void fail(dtls_close_reason reason) noexcept;
  [[nodiscard]] bool peer_matches_fingerprint(X509* cert) const noexcept;

  SSL* ssl_ = nullptr;
  BIO* incoming_ = nullptr;  // memory BIO that feed() writes into; owned by ssl_
  dtls_role role_;
  listener& events_;
  dtls_state state_ = dtls_state::idle;
  std::optional<sha256_digest> remote_digest_;
  std::optional<srtp_profile> profile_;
  std::optional<dtls_close_reason> close_reason_;
  bool fingerprint_rejected_ = false;
};

}  // namespace parley::media
