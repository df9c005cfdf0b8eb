// The client side of ICE (controlling, aggressive nomination), DTLS (client) and SRTP for the
// media load tool, on one non-blocking UDP socket.
#include "benchmarks/media/webrtc_client_peer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "benchmarks/media/synthetic_vp8_stream.hpp"
#include "media/rtcp_compound.hpp"
#include "media/rtcp_header.hpp"
#include "media/rtcp_nack.hpp"
#include "media/rtp_packet.hpp"
#include "media/stun_message.hpp"

namespace parley::bench {
namespace {

using namespace std::chrono_literals;

// Checks every 50 ms until one is answered (RFC 8445 Ta is 50 ms), then consent checks
// (RFC 7675) every 2 s; no answer for 10 s while checking fails the peer.
constexpr auto check_interval = 50ms;
constexpr auto consent_interval = 2s;
constexpr auto check_timeout = 10s;
// RFC 8445 §5.1.2: host candidate, type preference 126, local preference 65535, component 1.
constexpr uint32_t host_priority = (126u << 24) | (65535u << 8) | 255u;
constexpr size_t receive_buffer_size = 2048;

media::stun_address to_stun(const sockaddr_in& a) {
  media::stun_address out;
  out.fam = media::stun_address::family::ipv4;
  std::memcpy(out.address.data(), &a.sin_addr.s_addr, 4);
  out.port = ntohs(a.sin_port);
  return out;
}

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

} // namespace

std::string_view to_string(webrtc_client_peer::state s) noexcept {
  switch (s) {
    case webrtc_client_peer::state::idle: return "idle";
    case webrtc_client_peer::state::checking: return "checking";
    case webrtc_client_peer::state::handshaking: return "handshaking";
    case webrtc_client_peer::state::connected: return "connected";
    case webrtc_client_peer::state::failed: return "failed";
  }
  return "unknown";
}

std::unique_ptr<webrtc_client_peer> webrtc_client_peer::create(const media::dtls_context& context,
                                                               const std::string& bind_address, std::string& error) {
  std::unique_ptr<webrtc_client_peer> peer(new webrtc_client_peer());
  peer->dtls_ = media::dtls_transport::create(context, media::dtls_role::client, *peer);
  if (!peer->dtls_) {
    error = "cannot create a DTLS transport";
    return nullptr;
  }
  peer->fingerprint_ = context.local_fingerprint();
  peer->fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (peer->fd_ < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  // Room for a burst of forwarded packets while the client is busy with other peers.
  const int buffer = 1 << 20;
  setsockopt(peer->fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  setsockopt(peer->fd_, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  if (inet_pton(AF_INET, bind_address.c_str(), &local.sin_addr) != 1) {
    error = "not an IPv4 address: " + bind_address;
    return nullptr;
  }
  if (bind(peer->fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
    error = std::string("bind: ") + std::strerror(errno);
    return nullptr;
  }
  socklen_t length = sizeof local;
  getsockname(peer->fd_, reinterpret_cast<sockaddr*>(&local), &length);
  peer->local_address_ = bind_address;
  peer->local_port_ = ntohs(local.sin_port);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&peer->tie_breaker_), sizeof peer->tie_breaker_) != 1) {
    error = "no randomness for the ICE tie-breaker";
    return nullptr;
  }
  return peer;
}

webrtc_client_peer::~webrtc_client_peer() {
  if (dtls_)
    dtls_->close();
  if (fd_ >= 0)
    ::close(fd_);
}

void webrtc_client_peer::start(const remote_transport& remote, clock::time_point now) {
  if (state_ != state::idle)
    return;
  remote_ = remote;
  dtls_->set_remote_fingerprint(remote.fingerprint);
  ice_.set_remote_ufrag(remote.ice_ufrag);
  state_ = state::checking;
  checks_started_ = now;
  send_check(now);
}

void webrtc_client_peer::send_check(clock::time_point now) {
  media::stun_transaction_id id{};
  if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1)
    return;
  recent_checks_[next_check_slot_] = id;
  next_check_slot_ = (next_check_slot_ + 1) % recent_checks_.size();
  std::array<uint8_t, 256> out{};
  media::stun_message_writer writer(
      out, media::stun_message_type(media::stun_method::binding, media::stun_class::request), id);
  // RFC 8445 §7.2.2: USERNAME is "<their ufrag>:<our ufrag>", the key is their password.
  writer.add_username(remote_.ice_ufrag + ":" + ice_.local_ufrag());
  writer.add_priority(host_priority);
  writer.add_ice_controlling(tie_breaker_);
  writer.add_use_candidate();
  writer.add_message_integrity(bytes_of(remote_.ice_pwd));
  writer.add_fingerprint();
  const auto size = writer.finish();
  if (!size)
    return;
  if (send_datagram(std::span<const uint8_t>(out).first(*size)))
    ++counters_.checks_sent;
  next_check_ = now + (state_ == state::checking ? check_interval : consent_interval);
}

void webrtc_client_peer::on_tick(clock::time_point now) {
  if (state_ == state::idle || state_ == state::failed)
    return;
  if (state_ == state::checking && now - checks_started_ > check_timeout) {
    fail("no answer to ICE connectivity checks");
    return;
  }
  if (now >= next_check_)
    send_check(now);
  if (state_ == state::handshaking) {
    const auto wait = dtls_->next_timeout();
    if (wait && *wait <= std::chrono::microseconds::zero())
      dtls_->handle_timeout();
  }
}

void webrtc_client_peer::on_readable(clock::time_point now) {
  std::array<uint8_t, receive_buffer_size + media::srtp_session::max_overhead> buffer{};
  for (;;) {
    sockaddr_in from{};
    socklen_t from_length = sizeof from;
    const ssize_t n = recvfrom(fd_, buffer.data(), receive_buffer_size, 0, reinterpret_cast<sockaddr*>(&from),
                               &from_length);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return;  // EAGAIN, or an ICMP error surfaced as ECONNREFUSED: nothing more to read
    }
    if (n == 0)
      continue;
    auto datagram = std::span<uint8_t>(buffer).first(static_cast<size_t>(n));
    // RFC 7983 demultiplexing by the first byte.
    const uint8_t first = datagram[0];
    if (first <= 3)
      handle_stun(datagram, from, now);
    else if (first >= 20 && first <= 63)
      dtls_->feed(datagram);
    else if (first >= 128 && first <= 191)
      handle_srtp(datagram);
  }
}

void webrtc_client_peer::handle_stun(std::span<const uint8_t> datagram, const sockaddr_in& from,
                                     clock::time_point now) {
  if (!media::looks_like_stun(datagram))
    return;
  auto parsed = media::stun_message::parse(datagram);
  if (!parsed)
    return;
  const media::stun_message& message = *parsed;
  if (message.method() != media::stun_method::binding)
    return;
  if (message.message_class() == media::stun_class::request) {
    // A full-ICE server checks our candidate too: answer under our own password.
    std::array<uint8_t, 256> response{};
    const auto outcome = ice_.handle(message, to_stun(from), now, response);
    if (outcome.result == media::ice_check_result::answered) {
      sendto(fd_, response.data(), outcome.response_size, 0, reinterpret_cast<const sockaddr*>(&from), sizeof from);
      ++counters_.checks_received;
    }
    return;
  }
  if (message.message_class() == media::stun_class::error_response) {
    const auto code = message.error_code();
    if (state_ == state::checking)
      fail("ICE check rejected with STUN error " + std::to_string(code ? code->code : 0));
    return;
  }
  if (message.message_class() != media::stun_class::success_response)
    return;
  const auto id = message.transaction_id();
  const bool ours = std::any_of(recent_checks_.begin(), recent_checks_.end(),
                                [&](const media::stun_transaction_id& c) { return std::equal(c.begin(), c.end(), id.begin()); });
  if (!ours || !message.verify_fingerprint() || !message.verify_message_integrity(bytes_of(remote_.ice_pwd)))
    return;
  ++counters_.checks_answered;
  if (state_ == state::checking) {
    state_ = state::handshaking;
    next_check_ = now + consent_interval;
    dtls_->start();
  }
}

void webrtc_client_peer::handle_srtp(std::span<uint8_t> datagram) {
  if (!inbound_)
    return;
  size_t length = datagram.size();
  if (media::looks_like_rtcp(datagram)) {
    if (inbound_->unprotect_rtcp(datagram, length) != media::srtp_status::ok) {
      ++counters_.srtp_errors;
      return;
    }
    ++counters_.rtcp_received;
    media::rtcp_compound compound(datagram.first(length));
    while (const auto ref = compound.next()) {
      if (ref->header.packet_type != media::rtcp_type::rtp_feedback || ref->header.count != media::rtcp_fmt::generic_nack)
        continue;
      const auto fb = media::parse_rtcp_feedback(ref->bytes, media::rtcp_type::rtp_feedback, media::rtcp_fmt::generic_nack);
      if (!fb)
        continue;
      ++counters_.nacks_received;
      media::rtcp_nack::for_each_sequence_in(fb->fci, [this](uint16_t s) { nacked_.push_back(s); });
    }
    return;
  }
  if (drop_incoming_rtp_ != 0) {
    --drop_incoming_rtp_;
    return;
  }
  if (inbound_->unprotect_rtp(datagram, length) != media::srtp_status::ok) {
    ++counters_.srtp_errors;
    return;
  }
  auto packet = media::rtp_packet_view::parse(datagram.first(length));
  if (!packet)
    return;
  last_received_ssrc_ = packet->ssrc();
  last_received_sequence_ = packet->sequence();
  stats_.on_packet(packet->sequence(), vp8_payload_starts_keyframe(packet->payload()));
}

bool webrtc_client_peer::send_rtcp(std::span<const uint8_t> packet) {
  if (state_ != state::connected || !outbound_)
    return false;
  std::array<uint8_t, 1500 + media::srtp_session::max_overhead> buffer{};
  if (packet.size() > 1500)
    return false;
  std::copy(packet.begin(), packet.end(), buffer.begin());
  size_t length = packet.size();
  if (outbound_->protect_rtcp(buffer, length) != media::srtp_status::ok || !send_datagram(std::span(buffer).first(length))) {
    ++counters_.send_errors;
    return false;
  }
  return true;
}

bool webrtc_client_peer::send_rtp(std::span<uint8_t> buffer, size_t length) {
  if (state_ != state::connected || !outbound_)
    return false;
  if (outbound_->protect_rtp(buffer, length) != media::srtp_status::ok) {
    ++counters_.send_errors;
    return false;
  }
  if (!send_datagram(buffer.first(length))) {
    ++counters_.send_errors;
    return false;
  }
  ++counters_.rtp_sent;
  return true;
}

bool webrtc_client_peer::send_datagram(std::span<const uint8_t> datagram) {
  const ssize_t n = sendto(fd_, datagram.data(), datagram.size(), 0,
                           reinterpret_cast<const sockaddr*>(&remote_.address), sizeof remote_.address);
  return n == static_cast<ssize_t>(datagram.size());
}

void webrtc_client_peer::on_dtls_send(std::span<const uint8_t> datagram) { send_datagram(datagram); }

void webrtc_client_peer::on_dtls_connected(const media::srtp_keying_material& keys) {
  media::srtp_status status = media::srtp_status::ok;
  outbound_ = media::srtp_session::create(media::srtp_session::direction::outbound, keys.profile, keys.local_master(),
                                          &status);
  inbound_ = media::srtp_session::create(media::srtp_session::direction::inbound, keys.profile, keys.remote_master(),
                                         &status);
  if (!outbound_ || !inbound_) {
    fail("SRTP session: " + std::string(media::to_string(status)));
    return;
  }
  state_ = state::connected;
}

void webrtc_client_peer::on_dtls_closed(media::dtls_close_reason reason) {
  fail("DTLS: " + std::string(media::to_string(reason)));
}

void webrtc_client_peer::fail(std::string why) {
  if (state_ == state::failed)
    return;
  state_ = state::failed;
  failure_ = std::move(why);
}

} // namespace parley::bench
