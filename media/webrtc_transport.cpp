// Ties ICE-lite, DTLS and SRTP together for one client and classifies its datagrams.
#include "media/webrtc_transport.hpp"

#include <algorithm>

namespace parley::media {
namespace {

// RFC 5761 §4: RTCP packet types 192..223 occupy what would be RTP payload types 64..95.
bool is_rtcp(std::span<const uint8_t> p) noexcept { return p.size() >= 2 && p[1] >= 192 && p[1] <= 223; }

}  // namespace

std::unique_ptr<webrtc_transport> webrtc_transport::create(transport_id id, ice_lite_agent agent,
                                                           const dtls_context& context, dtls_role role,
                                                           const sha256_digest& remote_fingerprint,
                                                           listener& events, clock::time_point now) {
  std::unique_ptr<webrtc_transport> t(new webrtc_transport(id, std::move(agent), events, now));
  t->dtls_ = dtls_transport::create(context, role, *t);
  if (!t->dtls_) return nullptr;
  t->dtls_->set_remote_fingerprint(remote_fingerprint);
  t->addresses_.reserve(4);
  return t;
}

void webrtc_transport::handle_stun(const stun_message& request, const stun_address& source, clock::time_point now,
                                   std::span<uint8_t> scratch) noexcept {
  if (closed_) return;
  const auto out = agent_.handle(request, source, now, scratch);
  if (out.result != ice_check_result::answered) return;
  events_.on_transport_send(*this, scratch.first(out.response_size), source);
  if (std::find(addresses_.begin(), addresses_.end(), source) == addresses_.end()) {
    addresses_.push_back(source);
    events_.on_transport_address(*this, source);
  }
  // DTLS can only start once there is somewhere to send it; as server it just waits.
  if (dtls_->state() == dtls_state::idle) dtls_->start();
}

void webrtc_transport::handle_dtls(std::span<const uint8_t> datagram) noexcept {
  if (closed_) return;
  dtls_->feed(datagram);
}

void webrtc_transport::handle_srtp(std::span<uint8_t> buffer, size_t length) noexcept {
  if (closed_ || !srtp_in_) return;  // media before the handshake finished cannot be decrypted
  const auto packet = buffer.first(length);
  if (is_rtcp(packet)) {
    if (srtp_in_->unprotect_rtcp(buffer, length) != srtp_status::ok) return;
    events_.on_transport_rtcp(*this, buffer.first(length));
  } else {
    if (srtp_in_->unprotect_rtp(buffer, length) != srtp_status::ok) return;
    events_.on_transport_rtp(*this, buffer.first(length));
  }
}

srtp_status webrtc_transport::send_rtp(std::span<const uint8_t> packet, std::span<uint8_t> scratch) noexcept {
  return send_protected(packet, scratch, false);
}

srtp_status webrtc_transport::send_rtcp(std::span<const uint8_t> packet, std::span<uint8_t> scratch) noexcept {
  return send_protected(packet, scratch, true);
}

srtp_status webrtc_transport::send_rtp_in_place(std::span<uint8_t> buffer, size_t length) noexcept {
  if (closed_ || !srtp_out_ || !agent_.selected()) return srtp_status::library_error;
  if (length + srtp_session::max_overhead > buffer.size()) return srtp_status::no_room;
  const auto s = srtp_out_->protect_rtp(buffer, length);
  if (s == srtp_status::ok) events_.on_transport_send(*this, buffer.first(length), *agent_.selected());
  return s;
}

srtp_status webrtc_transport::send_protected(std::span<const uint8_t> packet, std::span<uint8_t> scratch,
                                             bool rtcp) noexcept {
  if (closed_ || !srtp_out_ || !agent_.selected()) return srtp_status::library_error;
  if (packet.size() > scratch.size()) return srtp_status::no_room;
  std::copy(packet.begin(), packet.end(), scratch.begin());
  size_t length = packet.size();
  const auto s = rtcp ? srtp_out_->protect_rtcp(scratch, length) : srtp_out_->protect_rtp(scratch, length);
  if (s == srtp_status::ok) events_.on_transport_send(*this, scratch.first(length), *agent_.selected());
  return s;
}

void webrtc_transport::on_timer(clock::time_point now) noexcept {
  if (closed_) return;
  if (const auto t = dtls_->next_timeout(); t && t->count() <= 0) dtls_->handle_timeout();
  if (closed_) return;
  if (agent_.consent_expired(now)) {
    shut(transport_close_reason::consent_expired);
  } else if (!agent_.last_consent() && now - created_ >= ice_connect_timeout) {
    shut(transport_close_reason::ice_timeout);
  }
}

void webrtc_transport::close() noexcept {
  if (closed_) return;
  dtls_->close();
  closed_ = true;
}

void webrtc_transport::on_dtls_send(std::span<const uint8_t> datagram) {
  if (const auto& to = agent_.selected()) events_.on_transport_send(*this, datagram, *to);
}

void webrtc_transport::on_dtls_connected(const srtp_keying_material& keys) {
  srtp_in_ = srtp_session::create(srtp_session::direction::inbound, keys.profile, keys.remote_master());
  srtp_out_ = srtp_session::create(srtp_session::direction::outbound, keys.profile, keys.local_master());
  if (!srtp_in_ || !srtp_out_) {
    srtp_in_.reset();
    srtp_out_.reset();
    dtls_->close();
    shut(transport_close_reason::dtls_failed);
    return;
  }
  events_.on_transport_connected(*this, keys.profile);
}

void webrtc_transport::on_dtls_closed(dtls_close_reason reason) {
  shut(reason == dtls_close_reason::close_notify ? transport_close_reason::dtls_close_notify
                                                 : transport_close_reason::dtls_failed);
}

void webrtc_transport::shut(transport_close_reason reason) noexcept {
  if (closed_) return;
  if (reason != transport_close_reason::dtls_close_notify && reason != transport_close_reason::dtls_failed)
    dtls_->close();
  closed_ = true;
  events_.on_transport_closed(*this, reason);
}

}  // namespace parley::media
