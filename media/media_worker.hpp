// A media worker thread: one UDP port shared by many WebRTC transports, demultiplexed per RFC 7983.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "media/dtls_certificate.hpp"
#include "media/dtls_context.hpp"
#include "media/srtp_profile.hpp"
#include "media/udp_receive_batch.hpp"
#include "media/udp_send_batch.hpp"
#include "media/udp_socket.hpp"
#include "media/webrtc_transport.hpp"

namespace parley::media {

struct media_worker_config {
  std::string listen_ip = "127.0.0.1";  // also the announced candidate address
  uint16_t port = 0;                    // 0 = ephemeral
};

struct transport_options {
  std::string remote_fingerprint;  // the peer's a=fingerprint value ("sha-256 AB:...")
  std::string remote_ufrag;        // the peer's a=ice-ufrag; empty accepts any
  dtls_role role = dtls_role::server;  // server answers a=setup:active offers with passive
};

// What goes into the SDP answer for a new transport.
struct transport_info {
  transport_id id = 0;
  std::string ice_ufrag;
  std::string ice_password;
  std::string fingerprint;  // "sha-256 AB:..."
  std::string candidate_ip;
  uint16_t candidate_port = 0;
};

// Owns a thread, a UDP socket and every transport on it. The control API
// (create_transport, close_transport) is thread-safe; send_rtp/send_rtcp and the listener
// run on the worker thread only, which is why forwarding needs no locks.
class media_worker final : private webrtc_transport::listener {
 public:
  // Events going up, called on the worker thread. Packet spans are valid during the call.
  class listener {
   public:
    virtual void on_transport_connected(transport_id id, srtp_profile profile) = 0;
    virtual void on_transport_closed(transport_id id, transport_close_reason reason) = 0;
    virtual void on_rtp(transport_id id, std::span<const uint8_t> packet) = 0;
    virtual void on_rtcp(transport_id id, std::span<const uint8_t> packet) = 0;
    // About once a second, for periodic RTCP and statistics.
    virtual void on_tick() {}

   protected:
    ~listener() = default;
  };

  // Binds the socket, makes the certificate and starts the thread. Nullptr with errno in
  // `error` if the socket cannot be bound, EPROTO if OpenSSL setup fails.
  [[nodiscard]] static std::unique_ptr<media_worker> start(const media_worker_config& config, listener& events,
                                                           int* error = nullptr);
  // Closes every transport (close_notify to each client) and joins the thread.
  ~media_worker();
  media_worker(const media_worker&) = delete;
  media_worker& operator=(const media_worker&) = delete;

  // Thread-safe. Nullopt if the remote fingerprint cannot be parsed. The transport is
  // live on the worker before any check that uses its credentials can be processed.
  [[nodiscard]] std::optional<transport_info> create_transport(const transport_options& options);
  // Thread-safe. Sends close_notify; no close event follows.
  void close_transport(transport_id id);
  // Thread-safe ICE restart: returns the new local ufrag and password for the answer.
  [[nodiscard]] std::pair<std::string, std::string> restart_ice(transport_id id, std::string remote_ufrag);
  // Thread-safe: runs `task` on the worker thread, in order with the other commands. This is
  // how the control plane updates worker-owned forwarding state without locks.
  void post(std::function<void()> task);

  // Worker thread only (from listener callbacks): protect into the worker's send queue for
  // the transport's selected address. Queued datagrams leave, in order, with one sendmmsg
  // once the worker has read everything waiting (or the queue is full).
  srtp_status send_rtp(transport_id id, std::span<const uint8_t> packet) noexcept;
  srtp_status send_rtcp(transport_id id, std::span<const uint8_t> packet) noexcept;
  // Worker thread only: the send-queue slot a forwarded packet is written into (one copy),
  // with room for the SRTP trailer; then send_rtp_in_place protects it there and queues it.
  [[nodiscard]] std::span<uint8_t> send_scratch() noexcept { return send_batch_.next_slot(); }
  srtp_status send_rtp_in_place(transport_id id, size_t length) noexcept;

  [[nodiscard]] const stun_address& local_address() const noexcept { return socket_.local_address(); }
  [[nodiscard]] const std::string& fingerprint() const noexcept { return dtls_->local_fingerprint(); }

 private:
  struct create_command {
    transport_id id;
    std::string ufrag, password, remote_ufrag;
    sha256_digest remote_fingerprint;
    dtls_role role;
  };
  struct close_command {
    transport_id id;
  };
  struct restart_command {
    transport_id id;
    std::string ufrag, password, remote_ufrag;
  };
  struct task_command {
    std::function<void()> task;
  };
  using command = std::variant<create_command, close_command, restart_command, task_command>;

  struct address_hash {
    size_t operator()(const stun_address& a) const noexcept;
  };
  struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  media_worker(udp_socket socket, std::unique_ptr<dtls_context> dtls, int wake_fd, listener& events);

  void run() noexcept;
  void drain_commands();
  void receive_all(webrtc_transport::clock::time_point now) noexcept;
  void dispatch(std::span<uint8_t> buffer, size_t length, const udp_receive_meta& meta,
                webrtc_transport::clock::time_point now) noexcept;
  void handle_stun(std::span<const uint8_t> datagram, const udp_receive_meta& meta,
                   webrtc_transport::clock::time_point now) noexcept;
  [[nodiscard]] webrtc_transport* by_address(const stun_address& a) noexcept;
  void run_timers(webrtc_transport::clock::time_point now) noexcept;
  [[nodiscard]] int poll_timeout_ms(webrtc_transport::clock::time_point now) const noexcept;
  void reap();
  void forget(webrtc_transport& t);

  // webrtc_transport::listener
  void on_transport_send(webrtc_transport& t, std::span<const uint8_t> datagram, const stun_address& to) override;
  void on_transport_address(webrtc_transport& t, const stun_address& source) override;
  void on_transport_connected(webrtc_transport& t, srtp_profile profile) override;
  void on_transport_closed(webrtc_transport& t, transport_close_reason reason) override;
  void on_transport_rtp(webrtc_transport& t, std::span<const uint8_t> packet) override;
  void on_transport_rtcp(webrtc_transport& t, std::span<const uint8_t> packet) override;

  udp_socket socket_;
  std::unique_ptr<dtls_context> dtls_;
  int wake_fd_;  // eventfd: a control command is waiting
  listener& events_;
  std::atomic<bool> stopping_{false};
  std::atomic<transport_id> next_id_{1};

  std::mutex commands_mutex_;
  std::vector<command> commands_;  // guarded by commands_mutex_

  // Worker-thread state below.
  std::unordered_map<transport_id, std::unique_ptr<webrtc_transport>> transports_;
  std::unordered_map<std::string, transport_id, string_hash, std::equal_to<>> by_ufrag_;
  std::unordered_map<stun_address, transport_id, address_hash> by_address_;
  std::vector<transport_id> closed_;       // reaped after the current datagram
  std::vector<transport_id> handshaking_;  // DTLS timers to watch, so idle transports cost nothing
  std::optional<stun_address> reply_from_;  // destination of the datagram being handled
  webrtc_transport::clock::time_point next_tick_{};
  udp_receive_batch receive_batch_;
  udp_send_batch send_batch_;
  std::vector<uint8_t> stun_buffer_;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace parley::media
