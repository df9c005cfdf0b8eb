// One client's WebRTC transport: ICE-lite agent + DTLS + SRTP in and out, fed by a media worker.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "media/dtls_transport.hpp"
#include "media/ice_lite_agent.hpp"
#include "media/srtp_session.hpp"
#include "media/stun_message.hpp"

namespace parley::media {

using transport_id = uint64_t;

// Why a transport went away. Stable names: they reach the router and stats.
enum class transport_close_reason : uint8_t {
  local_close,        // close_transport() or worker shutdown
  ice_timeout,        // no valid connectivity check ever arrived
  consent_expired,    // RFC 7675: checks stopped for 30 s
  dtls_close_notify,  // the peer closed DTLS
  dtls_failed,        // handshake failure, fingerprint mismatch, fatal alert
};

[[nodiscard]] constexpr std::string_view to_string(transport_close_reason r) noexcept {
  switch (r) {
    case transport_close_reason::local_close: return "local_close";
    case transport_close_reason::ice_timeout: return "ice_timeout";
    case transport_close_reason::consent_expired: return "consent_expired";
    case transport_close_reason::dtls_close_notify: return "dtls_close_notify";
    case transport_close_reason::dtls_failed: return "dtls_failed";
  }
  return "unknown";
}

// Lives on one worker thread; every call comes from it.
class webrtc_transport final : private dtls_transport::listener {
 public:
  using clock = std::chrono::steady_clock;
  // A transport whose client never completes a check is reclaimed after this long.
  static constexpr std::chrono::seconds ice_connect_timeout{30};

  class listener {
   public:
    virtual void on_transport_send(webrtc_transport& t, std::span<const uint8_t> datagram,
                                   const stun_address& to) = 0;
    // A valid check came from `source`: DTLS and SRTP from there belong to this transport.
    virtual void on_transport_address(webrtc_transport& t, const stun_address& source) = 0;
    virtual void on_transport_connected(webrtc_transport& t, srtp_profile profile) = 0;
    virtual void on_transport_closed(webrtc_transport& t, transport_close_reason reason) = 0;
    virtual void on_transport_rtp(webrtc_transport& t, std::span<const uint8_t> packet) = 0;
    virtual void on_transport_rtcp(webrtc_transport& t, std::span<const uint8_t> packet) = 0;

   protected:
    ~listener() = default;
  };

  // Nullptr if DTLS setup fails. `context` must outlive the transport.
  [[nodiscard]] static std::unique_ptr<webrtc_transport> create(transport_id id, ice_lite_agent agent,
                                                                const dtls_context& context, dtls_role role,
                                                                const sha256_digest& remote_fingerprint,
                                                                listener& events, clock::time_point now);

  [[nodiscard]] transport_id id() const noexcept { return id_; }
  [[nodiscard]] const ice_lite_agent& agent() const noexcept { return agent_; }
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] bool connected() const noexcept { return srtp_out_.has_value(); }
  [[nodiscard]] const std::vector<stun_address>& addresses() const noexcept { return addresses_; }
  [[nodiscard]] dtls_state dtls() const noexcept { return dtls_->state(); }

  // `scratch` holds the STUN response; ≥ 128 bytes.
  void handle_stun(const stun_message& request, const stun_address& source, clock::time_point now,
                   std::span<uint8_t> scratch) noexcept;
  void handle_dtls(std::span<const uint8_t> datagram) noexcept;
  // Decrypts in place (`buffer` is the receive buffer, first `length` bytes are the packet).
  void handle_srtp(std::span<uint8_t> buffer, size_t length) noexcept;

  // Copies `packet` into `scratch` (which needs srtp_session::max_overhead spare bytes),
  // protects it there and sends it to the selected address.
  [[nodiscard]] srtp_status send_rtp(std::span<const uint8_t> packet, std::span<uint8_t> scratch) noexcept;
  [[nodiscard]] srtp_status send_rtcp(std::span<const uint8_t> packet, std::span<uint8_t> scratch) noexcept;
  // The forwarding path: the first `length` bytes of `buffer` are a plain RTP packet the
  // caller already wrote there; it is protected in place (no further copy) and sent.
  [[nodiscard]] srtp_status send_rtp_in_place(std::span<uint8_t> buffer, size_t length) noexcept;

  // ICE restart: new local credentials and the peer's new ufrag; DTLS and SRTP stay.
  void restart_ice(std::string local_ufrag, std::string local_password, std::string remote_ufrag) {
    agent_.restart(std::move(local_ufrag), std::move(local_password), std::move(remote_ufrag));
  }

  // Retransmission timer and liveness; call when next_deadline() passes or periodically.
  void on_timer(clock::time_point now) noexcept;
  [[nodiscard]] std::optional<std::chrono::microseconds> dtls_timeout() const noexcept { return dtls_->next_timeout(); }

  // Sends close_notify if connected; no close event is reported.
  void close() noexcept;

 private:
  webrtc_transport(transport_id id, ice_lite_agent agent, listener& events, clock::time_point now)
      : id_(id), agent_(std::move(agent)), events_(events), created_(now) {}

  void on_dtls_send(std::span<const uint8_t> datagram) override;
  void on_dtls_connected(const srtp_keying_material& keys) override;
  void on_dtls_closed(dtls_close_reason reason) override;
  void shut(transport_close_reason reason) noexcept;
  [[nodiscard]] srtp_status send_protected(std::span<const uint8_t> packet, std::span<uint8_t> scratch,
                                           bool rtcp) noexcept;

  transport_id id_;
  ice_lite_agent agent_;
  listener& events_;
  clock::time_point created_;
  std::unique_ptr<dtls_transport> dtls_;
  std::optional<srtp_session> srtp_in_;
  std::optional<srtp_session> srtp_out_;
  std::vector<stun_address> addresses_;  // every source that passed a check
  bool closed_ = false;
};

}  // namespace parley::media
