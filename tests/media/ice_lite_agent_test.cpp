// Tests for the ICE-lite agent: answering valid checks, ignoring bad ones, selection, consent.
#include "media/ice_lite_agent.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <string>

using namespace parley::media;
using namespace std::chrono_literals;

namespace {

std::span<const uint8_t> bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

stun_address v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  stun_address s;
  s.fam = stun_address::family::ipv4;
  s.address[0] = a;
  s.address[1] = b;
  s.address[2] = c;
  s.address[3] = d;
  s.port = port;
  return s;
}

// A browser-like check: USERNAME, PRIORITY, ICE-CONTROLLING, [USE-CANDIDATE], MI, FINGERPRINT.
struct check_builder {
  std::array<uint8_t, 256> buf{};
  stun_transaction_id id{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

  std::span<const uint8_t> build(std::string_view username, std::string_view password, bool use_candidate,
                                 bool fingerprint = true) {
    stun_message_writer w(buf, stun_message_type(stun_method::binding, stun_class::request), id);
    w.add_username(username);
    w.add_priority(0x6e7f1eff);
    w.add_ice_controlling(0x1122334455667788ull);
    if (use_candidate) w.add_use_candidate();
    w.add_message_integrity(bytes_of(password));
    if (fingerprint) w.add_fingerprint();
    const auto n = w.finish();
    REQUIRE(n);
    return std::span<const uint8_t>(buf).first(*n);
  }
};

}  // namespace

TEST_CASE("generated ICE credentials are long enough and use ice-chars only", "[ice]") {
  ice_lite_agent a, b;
  CHECK(a.local_ufrag().size() >= 4);
  CHECK(a.local_password().size() >= 22);
  CHECK(a.local_ufrag() != b.local_ufrag());
  CHECK(a.local_password() != b.local_password());
  for (char c : a.local_password()) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/'));
}

TEST_CASE("a valid check is answered with XOR-MAPPED-ADDRESS of its source, under our password", "[ice]") {
  ice_lite_agent agent("srvU", "server-password-0123456789");
  agent.set_remote_ufrag("cli1");
  check_builder b;
  const auto req = stun_message::parse(b.build("srvU:cli1", "server-password-0123456789", false));
  REQUIRE(req);
  const auto source = v4(192, 0, 2, 7, 50123);
  const auto t0 = ice_lite_agent::clock::time_point{} + 1000s;
  std::array<uint8_t, 128> response{};
  const auto out = agent.handle(*req, source, t0, response);
  REQUIRE(out.result == ice_check_result::answered);

  const auto reply = stun_message::parse(std::span<const uint8_t>(response).first(out.response_size));
  REQUIRE(reply);
  CHECK(reply->method() == stun_method::binding);
  CHECK(reply->message_class() == stun_class::success_response);
  CHECK(std::equal(reply->transaction_id().begin(), reply->transaction_id().end(), b.id.begin()));
  CHECK(reply->xor_mapped_address() == source);
  CHECK(reply->verify_message_integrity(bytes_of("server-password-0123456789")));
  CHECK(reply->verify_fingerprint());

  // Before nomination the latest valid check selects the address (peer-reflexive is fine).
  CHECK(out.selected_changed);
  CHECK(agent.selected() == source);
  CHECK_FALSE(agent.nominated());

  SECTION("IPv6 sources are mapped too") {
    stun_address six;
    six.fam = stun_address::family::ipv6;
    six.address = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    six.port = 9;
    const auto o = agent.handle(*req, six, t0, response);
    REQUIRE(o.result == ice_check_result::answered);
    const auto r = stun_message::parse(std::span<const uint8_t>(response).first(o.response_size));
    REQUIRE(r);
    CHECK(r->xor_mapped_address() == six);
  }
}

TEST_CASE("checks with a wrong password, ufrag or fingerprint are ignored", "[ice]") {
  ice_lite_agent agent("srvU", "server-password-0123456789");
  agent.set_remote_ufrag("cli1");
  check_builder b;
  const auto source = v4(127, 0, 0, 1, 4000);
  const auto now = ice_lite_agent::clock::now();
  std::array<uint8_t, 128> response{};

  auto run = [&](std::span<const uint8_t> datagram) {
    const auto req = stun_message::parse(datagram);
    REQUIRE(req);
    return agent.handle(*req, source, now, response).result;
  };
  CHECK(run(b.build("srvU:cli1", "wrong-password-0123456789", true)) == ice_check_result::bad_integrity);
  CHECK(run(b.build("othr:cli1", "server-password-0123456789", true)) == ice_check_result::bad_username);
  CHECK(run(b.build("srvU:evil", "server-password-0123456789", true)) == ice_check_result::bad_username);
  CHECK(run(b.build("srvU", "server-password-0123456789", true)) == ice_check_result::bad_username);
  CHECK(run(b.build("srvUX:cli1", "server-password-0123456789", true)) == ice_check_result::bad_username);
  CHECK(run(b.build("srvU:cli1", "server-password-0123456789", true, false)) == ice_check_result::bad_fingerprint);

  // A tampered byte breaks the fingerprint first.
  auto good = b.build("srvU:cli1", "server-password-0123456789", true);
  std::vector<uint8_t> tampered(good.begin(), good.end());
  tampered[30] ^= 1;
  CHECK(run(tampered) == ice_check_result::bad_fingerprint);

  CHECK_FALSE(agent.selected());
  CHECK_FALSE(agent.last_consent());
  CHECK_FALSE(agent.consent_expired(now + 1h));
}

TEST_CASE("USE-CANDIDATE pins the selected address and later plain checks do not move it", "[ice]") {
  ice_lite_agent agent("srvU", "server-password-0123456789");
  check_builder b;
  const auto host = v4(10, 0, 0, 1, 5000);
  const auto prflx = v4(203, 0, 113, 9, 6000);
  const auto now = ice_lite_agent::clock::now();
  std::array<uint8_t, 128> response{};
  auto send = [&](const stun_address& from, bool nominate) {
    const auto req = stun_message::parse(b.build("srvU:anyremote", "server-password-0123456789", nominate));
    REQUIRE(req);
    return agent.handle(*req, from, now, response);
  };
  CHECK(send(host, false).selected_changed);
  CHECK(agent.selected() == host);
  CHECK(send(prflx, true).selected_changed);  // nominated, from an address not in any SDP
  CHECK(agent.selected() == prflx);
  CHECK(agent.nominated());
  CHECK_FALSE(send(host, false).selected_changed);  // still answered, but not selected
  CHECK(agent.selected() == prflx);
  CHECK(send(host, true).selected_changed);  // a later nomination wins
  CHECK(agent.selected() == host);
}

TEST_CASE("consent expires 30 s after the last valid check on the selected address", "[ice]") {
  ice_lite_agent agent("srvU", "server-password-0123456789");
  check_builder b;
  const auto addr = v4(127, 0, 0, 1, 4000);
  const auto t0 = ice_lite_agent::clock::time_point{} + 100s;
  std::array<uint8_t, 128> response{};
  auto check_at = [&](const stun_address& from, ice_lite_agent::clock::time_point t) {
    const auto req = stun_message::parse(b.build("srvU:r", "server-password-0123456789", true));
    REQUIRE(req);
    REQUIRE(agent.handle(*req, from, t, response).result == ice_check_result::answered);
  };
  CHECK_FALSE(agent.consent_expired(t0));  // nothing to expire before the first check
  check_at(addr, t0);
  CHECK_FALSE(agent.consent_expired(t0 + 29s));
  check_at(addr, t0 + 25s);  // a consent refresh
  CHECK_FALSE(agent.consent_expired(t0 + 54s));
  CHECK(agent.consent_expired(t0 + 55s));

  // A bad check refreshes nothing.
  const auto bad = stun_message::parse(b.build("srvU:r", "not-the-password-0123456", true));
  REQUIRE(bad);
  (void)agent.handle(*bad, addr, t0 + 50s, response);
  CHECK(agent.consent_expired(t0 + 55s));
  CHECK(agent.last_consent() == t0 + 25s);
}
