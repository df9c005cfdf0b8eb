// DTLS handshake driving, certificate pinning to the SDP fingerprint and SRTP key export.
#include "media/dtls_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>

namespace parley::media {
namespace {

// Browsers use 1200-ish byte datagrams for DTLS; a flight fragmented below typical path
// MTUs (with TURN/IPv6 overhead) never needs IP fragmentation.
constexpr long dtls_mtu = 1200;
constexpr char srtp_exporter_label[] = "EXTRACTOR-dtls_srtp";

int transport_index() noexcept {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

dtls_transport* transport_of(SSL* ssl) noexcept {
  return static_cast<dtls_transport*>(SSL_get_ex_data(ssl, transport_index()));
}

}  // namespace

// OpenSSL's C callbacks, befriended so they reach the transport's private state.
struct dtls_transport_callbacks {
  // Every record OpenSSL writes is one datagram handed to the listener, so no datagram
  // ever carries a cut record, and flights need no re-splitting.
  static int bio_write(BIO* b, const char* data, int length) noexcept {
    auto* t = static_cast<dtls_transport*>(BIO_get_data(b));
    if (t == nullptr || length <= 0) return length;
    t->events_.on_dtls_send({reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(length)});
    return length;
  }

  static long bio_ctrl(BIO*, int cmd, long, void*) noexcept {
    switch (cmd) {
      case BIO_CTRL_FLUSH: return 1;
      case BIO_CTRL_DGRAM_QUERY_MTU: return dtls_mtu;
      default: return 0;  // no pending data, no overhead, nothing else to report
    }
  }

  static int bio_create(BIO* b) noexcept {
    BIO_set_init(b, 1);
    return 1;
  }

  static int bio_destroy(BIO* b) noexcept {
    BIO_set_data(b, nullptr);
    return 1;
  }

  // Pins the peer's leaf certificate to the SDP fingerprint. Self-signed certificates
  // make preverify fail; that is expected, the fingerprint is the whole trust decision.
  static int verify(int, X509_STORE_CTX* store) noexcept {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    dtls_transport* t = ssl != nullptr ? transport_of(ssl) : nullptr;
    if (t == nullptr) return 0;
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;  // only the leaf is pinned
    if (t->peer_matches_fingerprint(X509_STORE_CTX_get_current_cert(store))) return 1;
    t->fingerprint_rejected_ = true;
    return 0;
  }

  // Chromium retransmits from 50 ms; OpenSSL's default 1 s start makes a lost first
  // flight cost a visible second. Start at 100 ms, double up to 4 s; OpenSSL gives up
  // after 12 expiries (~30 s).
  static unsigned int timer(SSL*, unsigned int previous_us) noexcept {
    if (previous_us == 0) return 100'000;
    return std::min(previous_us * 2, 4'000'000u);
  }
};

namespace {

BIO_METHOD* outgoing_method() noexcept {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "parley_dtls_out");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, dtls_transport_callbacks::bio_write);
    BIO_meth_set_ctrl(m, dtls_transport_callbacks::bio_ctrl);
    BIO_meth_set_create(m, dtls_transport_callbacks::bio_create);
    BIO_meth_set_destroy(m, dtls_transport_callbacks::bio_destroy);
    return m;
  }();
  return method;
}

}  // namespace

std::unique_ptr<dtls_transport> dtls_transport::create(const dtls_context& context, dtls_role role,
                                                       listener& events) {
  BIO_METHOD* method = outgoing_method();
  if (method == nullptr || transport_index() < 0) return nullptr;
  std::unique_ptr<dtls_transport> t(new dtls_transport(role, events));
  t->ssl_ = SSL_new(context.native());
  if (t->ssl_ == nullptr) return nullptr;
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(method);
  if (in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    return nullptr;
  }
  // An empty memory BIO must read as "try again", not end of file.
  BIO_set_mem_eof_return(in, -1);
  BIO_set_data(out, t.get());
  SSL_set_bio(t->ssl_, in, out);
  t->incoming_ = in;
  SSL_set_ex_data(t->ssl_, transport_index(), t.get());
  SSL_set_verify(t->ssl_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, dtls_transport_callbacks::verify);
  SSL_set_mtu(t->ssl_, dtls_mtu);
  DTLS_set_link_mtu(t->ssl_, dtls_mtu);
  DTLS_set_timer_cb(t->ssl_, dtls_transport_callbacks::timer);
  if (role == dtls_role::server)
    SSL_set_accept_state(t->ssl_);
  else
    SSL_set_connect_state(t->ssl_);
  return t;
}

dtls_transport::~dtls_transport() {
  if (ssl_ == nullptr) return;
  // No callback may reach a half-destroyed transport through the write BIO.
  BIO_set_data(SSL_get_wbio(ssl_), nullptr);
  SSL_free(ssl_);
}

bool dtls_transport::set_remote_fingerprint(std::string_view sdp_value) noexcept {
  const auto d = parse_fingerprint(sdp_value);
  if (!d) return false;
  remote_digest_ = *d;
  return true;
}

bool dtls_transport::set_srtp_profiles(std::span<const srtp_profile> profiles) noexcept {
  if (state_ != dtls_state::idle || profiles.empty()) return false;
  char list[128] = {};
  size_t at = 0;
  for (const auto p : profiles) {
    const auto name = openssl_name(p);
    if (at + name.size() + 2 > sizeof list) return false;
    if (at != 0) list[at++] = ':';
    std::memcpy(list + at, name.data(), name.size());
    at += name.size();
  }
  return SSL_set_tlsext_use_srtp(ssl_, list) == 0;  // 0 means success here
}

bool dtls_transport::peer_matches_fingerprint(X509* cert) const noexcept {
  if (!remote_digest_) return false;
  const auto d = certificate_sha256(cert);
  return d && CRYPTO_memcmp(d->data(), remote_digest_->data(), d->size()) == 0;
}

void dtls_transport::start() noexcept {
  if (state_ != dtls_state::idle) return;
  state_ = dtls_state::connecting;
  if (role_ == dtls_role::client) drive();
}

void dtls_transport::feed(std::span<const uint8_t> datagram) noexcept {
  if (state_ == dtls_state::idle && role_ == dtls_role::server) state_ = dtls_state::connecting;
  if (state_ != dtls_state::connecting && state_ != dtls_state::connected) return;
  if (datagram.empty() || datagram.size() > 0xFFFF) return;
  if (BIO_write(incoming_, datagram.data(), static_cast<int>(datagram.size())) != static_cast<int>(datagram.size()))
    return;
  drive();
  // Whatever OpenSSL did not consume (a malformed datagram) must not prefix the next one.
  (void)BIO_reset(incoming_);
}

void dtls_transport::drive() noexcept {
  if (state_ == dtls_state::connecting) {
    ERR_clear_error();
    const int r = SSL_do_handshake(ssl_);
    if (r == 1) {
      finish_handshake();
    } else {
      const int e = SSL_get_error(ssl_, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        fail(fingerprint_rejected_ ? dtls_close_reason::fingerprint_mismatch : dtls_close_reason::handshake_failed);
      }
      ERR_clear_error();
      return;
    }
  }
  if (state_ == dtls_state::connected) read_records();
}

void dtls_transport::finish_handshake() noexcept {
  // Belt and braces: the verify callback already pinned the certificate, but a path that
  // skipped it (no certificate at all) must not count as authenticated.
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (peer == nullptr || !peer_matches_fingerprint(peer)) {
    fail(dtls_close_reason::fingerprint_mismatch);
    return;
  }
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_);
  const auto profile = selected != nullptr ? srtp_profile_from_id(selected->id) : std::nullopt;
  if (!profile) {
    fail(dtls_close_reason::no_srtp_profile);
    return;
  }
  // RFC 5764 §4.2: client key | server key | client salt | server salt.
  const size_t key_len = srtp_key_length(*profile);
  const size_t salt_len = srtp_salt_length(*profile);
  std::array<uint8_t, 2 * srtp_max_master_length> material{};
  const size_t total = 2 * (key_len + salt_len);
  if (SSL_export_keying_material(ssl_, material.data(), total, srtp_exporter_label, sizeof srtp_exporter_label - 1,
                                 nullptr, 0, 0) != 1) {
    fail(dtls_close_reason::key_export_failed);
    return;
  }
  srtp_keying_material keys;
  keys.profile = *profile;
  const uint8_t* client_key = material.data();
  const uint8_t* server_key = client_key + key_len;
  const uint8_t* client_salt = server_key + key_len;
  const uint8_t* server_salt = client_salt + salt_len;
  const bool is_client = role_ == dtls_role::client;
  std::copy_n(is_client ? client_key : server_key, key_len, keys.local.begin());
  std::copy_n(is_client ? client_salt : server_salt, salt_len, keys.local.begin() + key_len);
  std::copy_n(is_client ? server_key : client_key, key_len, keys.remote.begin());
  std::copy_n(is_client ? server_salt : client_salt, salt_len, keys.remote.begin() + key_len);
  OPENSSL_cleanse(material.data(), material.size());

  profile_ = *profile;
  state_ = dtls_state::connected;
  events_.on_dtls_connected(keys);
  OPENSSL_cleanse(keys.local.data(), keys.local.size());
  OPENSSL_cleanse(keys.remote.data(), keys.remote.size());
}

void dtls_transport::read_records() noexcept {
  // WebRTC data channels (SCTP over DTLS) are not served here, so application data is
  // read only to get OpenSSL to process alerts and retransmitted handshake records.
  std::array<uint8_t, 2048> sink;
  for (;;) {
    ERR_clear_error();
    const int r = SSL_read(ssl_, sink.data(), static_cast<int>(sink.size()));
    if (r > 0) continue;
    const int e = SSL_get_error(ssl_, r);
    ERR_clear_error();
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
    if (e == SSL_ERROR_ZERO_RETURN) {
      state_ = dtls_state::closed;
      close_reason_ = dtls_close_reason::close_notify;
      events_.on_dtls_closed(dtls_close_reason::close_notify);
      return;
    }
    fail(dtls_close_reason::fatal_alert);
    return;
  }
}

std::optional<std::chrono::microseconds> dtls_transport::next_timeout() const noexcept {
  if (state_ != dtls_state::connecting) return std::nullopt;
  timeval tv{};
  if (DTLSv1_get_timeout(ssl_, &tv) != 1) return std::nullopt;
  return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
}

void dtls_transport::handle_timeout() noexcept {
  if (state_ != dtls_state::connecting) return;
  ERR_clear_error();
  if (DTLSv1_handle_timeout(ssl_) < 0) {
    ERR_clear_error();
    fail(dtls_close_reason::timeout);
  }
}

void dtls_transport::close() noexcept {
  if (state_ == dtls_state::closed || state_ == dtls_state::failed) return;
  if (state_ == dtls_state::connected) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);  // sends close_notify; we do not wait for the peer's
    ERR_clear_error();
  }
  state_ = dtls_state::closed;
  close_reason_ = dtls_close_reason::local_close;
}

void dtls_transport::fail(dtls_close_reason reason) noexcept {
  if (state_ == dtls_state::failed || state_ == dtls_state::closed) return;
  state_ = dtls_state::failed;
  close_reason_ = reason;
  events_.on_dtls_closed(reason);
}

}  // namespace parley::media
