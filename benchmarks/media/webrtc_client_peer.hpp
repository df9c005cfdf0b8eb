// One WebRTC peer connection on the client side, built from the project's media code:
// ICE as the controlling agent (Binding requests with USE-CANDIDATE, MESSAGE-INTEGRITY and
// FINGERPRINT), DTLS 1.2 as client, SRTP both ways, over one UDP socket.
#pragma once

#include <netinet/in.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "benchmarks/media/receive_stats.hpp"
#include "media/dtls_certificate.hpp"
#include "media/dtls_transport.hpp"
#include "media/ice_lite_agent.hpp"
#include "media/srtp_session.hpp"

namespace parley::bench {

/// What the remote description says about the server's side of one transport.
struct remote_transport {
  std::string ice_ufrag;
  std::string ice_pwd;
  media::sha256_digest fingerprint{};
  sockaddr_in address{};  // the server's UDP host candidate
};

struct peer_counters {
  uint64_t checks_sent = 0;
  uint64_t checks_answered = 0;       // the server's Binding success responses
  uint64_t checks_received = 0;       // the server's own checks (full-ICE servers) we answered
  uint64_t rtp_sent = 0;
  uint64_t send_errors = 0;
  uint64_t rtcp_received = 0;
  uint64_t nacks_received = 0;        // generic NACKs among them (the server asking us to resend)
  uint64_t srtp_errors = 0;           // datagrams that did not unprotect
};

class webrtc_client_peer final : private media::dtls_transport::listener {
public:
  using clock = std::chrono::steady_clock;
  enum class state : uint8_t { idle, checking, handshaking, connected, failed };

  /// A UDP socket on `bind_address`:0 and a DTLS client transport on `context`, which
  /// must outlive the peer. Nullptr with `error` set on failure.
  static std::unique_ptr<webrtc_client_peer> create(const media::dtls_context& context,
                                                    const std::string& bind_address, std::string& error);
  ~webrtc_client_peer();
  webrtc_client_peer(const webrtc_client_peer&) = delete;
  webrtc_client_peer& operator=(const webrtc_client_peer&) = delete;

  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] const std::string& ice_ufrag() const noexcept { return ice_.local_ufrag(); }
  [[nodiscard]] const std::string& ice_pwd() const noexcept { return ice_.local_password(); }
  [[nodiscard]] const std::string& local_address() const noexcept { return local_address_; }
  [[nodiscard]] uint16_t local_port() const noexcept { return local_port_; }
  [[nodiscard]] const std::string& fingerprint() const noexcept { return fingerprint_; }

  /// Starts connectivity checks towards `remote`; DTLS follows the first answered check.
  void start(const remote_transport& remote, clock::time_point now);
  /// Reads every datagram waiting on the socket.
  void on_readable(clock::time_point now);
  /// Check retransmission, consent checks, DTLS timers; call at least every 10 ms.
  void on_tick(clock::time_point now);

  /// Protects the RTP packet in `buffer` (its first `length` bytes; the buffer needs
  /// srtp_session::max_overhead bytes more) in place and sends it. False if not connected
  /// or the send failed.
  bool send_rtp(std::span<uint8_t> buffer, size_t length);
  /// The same for one RTCP packet (e.g. a NACK), copied into a buffer of its own.
  bool send_rtcp(std::span<const uint8_t> packet);

  /// Every sequence number the server's NACKs named so far, in arrival order.
  [[nodiscard]] const std::vector<uint16_t>& nacked_sequences() const noexcept { return nacked_; }
  /// The SSRC of the last RTP packet received (the server's SSRC for our subscription).
  [[nodiscard]] uint32_t last_received_ssrc() const noexcept { return last_received_ssrc_; }
  /// Discards the next `count` RTP datagrams unread, as if the network had lost them (tests
  /// of loss repair).
  void drop_incoming_rtp(size_t count) noexcept { drop_incoming_rtp_ = count; }
  /// The sequence number of the last RTP packet received.
  [[nodiscard]] uint16_t last_received_sequence() const noexcept { return last_received_sequence_; }

  [[nodiscard]] state current_state() const noexcept { return state_; }
  [[nodiscard]] const std::string& failure() const noexcept { return failure_; }
  [[nodiscard]] std::optional<media::srtp_profile> profile() const noexcept { return dtls_->profile(); }
  [[nodiscard]] receive_stats& stats() noexcept { return stats_; }
  [[nodiscard]] const receive_stats& stats() const noexcept { return stats_; }
  [[nodiscard]] const peer_counters& counters() const noexcept { return counters_; }

private:
  webrtc_client_peer() = default;

  void send_check(clock::time_point now);
  void handle_stun(std::span<const uint8_t> datagram, const sockaddr_in& from, clock::time_point now);
  void handle_srtp(std::span<uint8_t> datagram);
  void fail(std::string why);
  bool send_datagram(std::span<const uint8_t> datagram);

  void on_dtls_send(std::span<const uint8_t> datagram) override;
  void on_dtls_connected(const media::srtp_keying_material& keys) override;
  void on_dtls_closed(media::dtls_close_reason reason) override;

  int fd_ = -1;
  std::string local_address_;
  uint16_t local_port_ = 0;
  std::string fingerprint_;
  media::ice_lite_agent ice_;  // our credentials; answers a full-ICE server's own checks
  std::unique_ptr<media::dtls_transport> dtls_;
  remote_transport remote_;
  state state_ = state::idle;
  std::string failure_;
  uint64_t tie_breaker_ = 0;
  std::array<media::stun_transaction_id, 8> recent_checks_{};  // ring of ids awaiting answers
  size_t next_check_slot_ = 0;
  clock::time_point checks_started_{};
  clock::time_point next_check_{};
  std::optional<media::srtp_session> outbound_;
  std::optional<media::srtp_session> inbound_;
  receive_stats stats_;
  peer_counters counters_;
  std::vector<uint16_t> nacked_;
  uint32_t last_received_ssrc_ = 0;
  uint16_t last_received_sequence_ = 0;
  size_t drop_incoming_rtp_ = 0;
};

[[nodiscard]] std::string_view to_string(webrtc_client_peer::state s) noexcept;

} // namespace parley::bench
