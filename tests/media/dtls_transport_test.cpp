// Tests for DTLS-SRTP between two project transports in memory: profiles, keys, pinning, close.
#include "media/dtls_transport.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <thread>
#include <vector>

#include "media/dtls_certificate.hpp"
#include "media/dtls_context.hpp"

using namespace parley::media;

namespace {

struct endpoint final : dtls_transport::listener {
  std::deque<std::vector<uint8_t>> outbox;
  std::optional<srtp_keying_material> keys;
  std::optional<dtls_close_reason> closed;
  int datagrams_sent = 0;

  void on_dtls_send(std::span<const uint8_t> d) override {
    outbox.emplace_back(d.begin(), d.end());
    ++datagrams_sent;
  }
  void on_dtls_connected(const srtp_keying_material& k) override { keys = k; }
  void on_dtls_closed(dtls_close_reason r) override { closed = r; }
};

const dtls_certificate& server_cert() {
  static const auto c = dtls_certificate::generate("server");
  return *c;
}
const dtls_certificate& client_cert() {
  static const auto c = dtls_certificate::generate("client");
  return *c;
}

// Delivers queued datagrams both ways until nothing moves.
void pump(endpoint& a, dtls_transport& ta, endpoint& b, dtls_transport& tb) {
  for (int round = 0; round < 100 && (!a.outbox.empty() || !b.outbox.empty()); ++round) {
    while (!a.outbox.empty()) {
      auto d = std::move(a.outbox.front());
      a.outbox.pop_front();
      tb.feed(d);
    }
    while (!b.outbox.empty()) {
      auto d = std::move(b.outbox.front());
      b.outbox.pop_front();
      ta.feed(d);
    }
  }
}

struct pair_fixture {
  std::unique_ptr<dtls_context> server_ctx = dtls_context::create(server_cert());
  std::unique_ptr<dtls_context> client_ctx = dtls_context::create(client_cert());
  endpoint server_events, client_events;
  std::unique_ptr<dtls_transport> server = dtls_transport::create(*server_ctx, dtls_role::server, server_events);
  std::unique_ptr<dtls_transport> client = dtls_transport::create(*client_ctx, dtls_role::client, client_events);

  pair_fixture() {
    REQUIRE(server);
    REQUIRE(client);
    REQUIRE(server->set_remote_fingerprint(client_cert().fingerprint()));
    REQUIRE(client->set_remote_fingerprint(server_cert().fingerprint()));
  }

  void run() {
    server->start();
    client->start();
    pump(client_events, *client, server_events, *server);
  }
};

}  // namespace

TEST_CASE("certificate fingerprint is SHA-256 in SDP form and parses back", "[dtls]") {
  const auto& c = server_cert();
  CHECK(c.fingerprint().rfind("sha-256 ", 0) == 0);
  CHECK(c.fingerprint().size() == 8 + 32 * 3 - 1);
  CHECK(parse_fingerprint(c.fingerprint()) == c.digest());
  CHECK(certificate_sha256(c.certificate()) == c.digest());
  // Browsers send upper case; some tools lower case.
  std::string lower = c.fingerprint();
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  CHECK(parse_fingerprint(lower) == c.digest());
  CHECK_FALSE(parse_fingerprint("sha-1 AB:CD"));
  CHECK_FALSE(parse_fingerprint(c.fingerprint().substr(0, c.fingerprint().size() - 3)));
  CHECK(server_cert().digest() != client_cert().digest());
}

TEST_CASE("DTLS handshake negotiates the server's preferred SRTP profile among the client's offer", "[dtls]") {
  struct offer_case {
    std::vector<srtp_profile> offer;
    srtp_profile expected;
  };
  const auto c = GENERATE(
      // Client lists AES_CM first: the server's order (256-GCM first) must still win.
      offer_case{
          {srtp_profile::aes_cm_128_hmac_sha1_80, srtp_profile::aead_aes_128_gcm, srtp_profile::aead_aes_256_gcm},
          srtp_profile::aead_aes_256_gcm},
      offer_case{
          {srtp_profile::aead_aes_256_gcm, srtp_profile::aead_aes_128_gcm, srtp_profile::aes_cm_128_hmac_sha1_80},
          srtp_profile::aead_aes_256_gcm},
      // Chromium's offer.
      offer_case{{srtp_profile::aead_aes_128_gcm, srtp_profile::aes_cm_128_hmac_sha1_80},
                 srtp_profile::aead_aes_128_gcm},
      offer_case{{srtp_profile::aes_cm_128_hmac_sha1_80, srtp_profile::aead_aes_128_gcm},
                 srtp_profile::aead_aes_128_gcm},
      offer_case{{srtp_profile::aes_cm_128_hmac_sha1_80}, srtp_profile::aes_cm_128_hmac_sha1_80});

  pair_fixture f;
  REQUIRE(f.client->set_srtp_profiles(c.offer));
  f.run();

  REQUIRE(f.server->state() == dtls_state::connected);
  REQUIRE(f.client->state() == dtls_state::connected);
  CHECK(f.server->profile() == c.expected);
  CHECK(f.client->profile() == c.expected);
  REQUIRE(f.server_events.keys);
  REQUIRE(f.client_events.keys);
  const auto& sk = *f.server_events.keys;
  const auto& ck = *f.client_events.keys;
  CHECK(sk.profile == c.expected);
  CHECK(sk.local_master().size() == srtp_master_length(c.expected));
  // What one side sends with, the other receives with; and the two directions differ.
  CHECK(std::equal(sk.local_master().begin(), sk.local_master().end(), ck.remote_master().begin(),
                   ck.remote_master().end()));
  CHECK(std::equal(sk.remote_master().begin(), sk.remote_master().end(), ck.local_master().begin(),
                   ck.local_master().end()));
  CHECK_FALSE(std::equal(sk.local_master().begin(), sk.local_master().end(), sk.remote_master().begin()));
  CHECK_FALSE(f.server_events.closed);
  CHECK_FALSE(f.client_events.closed);
}

TEST_CASE("DTLS handshake fails when the peer certificate does not match the SDP fingerprint", "[dtls]") {
  const auto other = dtls_certificate::generate("mallory");
  REQUIRE(other);

  SECTION("server pins the wrong client fingerprint") {
    pair_fixture f;
    REQUIRE(f.server->set_remote_fingerprint(other->fingerprint()));
    f.run();
    CHECK(f.server->state() == dtls_state::failed);
    CHECK(f.server_events.closed == dtls_close_reason::fingerprint_mismatch);
    CHECK_FALSE(f.server_events.keys);
    // The server's fatal alert ends the client's handshake too.
    CHECK(f.client->state() == dtls_state::failed);
    CHECK_FALSE(f.client_events.keys);
  }
  SECTION("client pins the wrong server fingerprint") {
    pair_fixture f;
    REQUIRE(f.client->set_remote_fingerprint(other->fingerprint()));
    f.run();
    CHECK(f.client->state() == dtls_state::failed);
    CHECK(f.client_events.closed == dtls_close_reason::fingerprint_mismatch);
    CHECK_FALSE(f.client_events.keys);
    CHECK(f.server->state() != dtls_state::connected);
    CHECK_FALSE(f.server_events.keys);
  }
  SECTION("no fingerprint known") {
    pair_fixture f;
    auto bare = dtls_transport::create(*f.server_ctx, dtls_role::server, f.server_events);
    f.server = std::move(bare);
    f.run();
    CHECK(f.server->state() == dtls_state::failed);
    CHECK(f.server_events.closed == dtls_close_reason::fingerprint_mismatch);
  }
}

TEST_CASE("DTLS handshake fails when no SRTP profile is shared", "[dtls]") {
  pair_fixture f;
  // The server only takes AES_CM here; the client offers only GCM.
  const std::array server_only{srtp_profile::aes_cm_128_hmac_sha1_80};
  const std::array client_only{srtp_profile::aead_aes_128_gcm};
  REQUIRE(f.server->set_srtp_profiles(server_only));
  REQUIRE(f.client->set_srtp_profiles(client_only));
  f.run();
  CHECK(f.client->state() == dtls_state::failed);
  CHECK(f.client_events.closed == dtls_close_reason::no_srtp_profile);
  CHECK_FALSE(f.client_events.keys);
  CHECK(f.server->state() == dtls_state::failed);
  CHECK(f.server_events.closed == dtls_close_reason::no_srtp_profile);
  CHECK_FALSE(f.server_events.keys);
}

TEST_CASE("close_notify from the peer closes the transport", "[dtls]") {
  pair_fixture f;
  f.run();
  REQUIRE(f.server->state() == dtls_state::connected);
  f.client->close();
  CHECK(f.client->state() == dtls_state::closed);
  CHECK(f.client->close_reason() == dtls_close_reason::local_close);
  CHECK_FALSE(f.client_events.closed);  // a local close is not reported back
  pump(f.client_events, *f.client, f.server_events, *f.server);
  CHECK(f.server->state() == dtls_state::closed);
  CHECK(f.server_events.closed == dtls_close_reason::close_notify);
}

TEST_CASE("malformed datagrams after the handshake are dropped without closing", "[dtls]") {
  pair_fixture f;
  f.run();
  REQUIRE(f.server->state() == dtls_state::connected);
  // A well-framed alert record with a wrong epoch/MAC is dropped silently by DTLS.
  const std::vector<uint8_t> junk = {21, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 9, 0, 2, 2, 40};
  f.server->feed(junk);
  CHECK(f.server->state() == dtls_state::connected);
  const std::vector<uint8_t> truncated = {22, 0xFE, 0xFD};
  f.server->feed(truncated);
  CHECK(f.server->state() == dtls_state::connected);
}

TEST_CASE("a lost flight is retransmitted on the timer", "[dtls]") {
  pair_fixture f;
  f.server->start();
  f.client->start();
  REQUIRE(f.client_events.outbox.size() == 1);  // ClientHello
  f.client_events.outbox.clear();               // lost on the way
  const auto wait = f.client->next_timeout();
  REQUIRE(wait);
  CHECK(*wait <= std::chrono::milliseconds(100));
  std::this_thread::sleep_for(*wait + std::chrono::milliseconds(5));
  f.client->handle_timeout();
  REQUIRE(f.client_events.outbox.size() == 1);  // ClientHello again
  pump(f.client_events, *f.client, f.server_events, *f.server);
  CHECK(f.client->state() == dtls_state::connected);
  CHECK(f.server->state() == dtls_state::connected);
  CHECK_FALSE(f.client->next_timeout());
}
