// parleyd's media signaling over its WebSocket API: every peer is one participant (its own
// authenticated connection joined to one meeting); media.publish and media.subscribe carry
// the client's offer and return the server's answer (docs/protocol.md, "Media").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "benchmarks/media/media_load_run.hpp"
#include "benchmarks/media/sfu_signaling.hpp"

namespace parley::test_support {
class ws_client;
}

namespace parley::bench {

class parley_meeting_signaling final : public sfu_signaling {
public:
  /// `token` is a logged-in user's; every participant connection uses it.
  parley_meeting_signaling(std::string host, uint16_t port, std::string token);
  ~parley_meeting_signaling() override;

  /// The host's connection: creates a meeting anyone may join before the host, and joins it.
  bool connect(std::string& error);

  bool publish(webrtc_client_peer& peer, publish_offer_settings& settings, publication& out,
               std::string& error) override;
  bool subscribe(webrtc_client_peer& peer, const publication& source, std::string& error) override;

  /// Runs one op as participant `index` (0 is the host, then one per publish or subscribe
  /// in call order) and returns the whole response.
  nlohmann::json call_as(size_t index, const std::string& op, const nlohmann::json& args);

private:
  // A new participant: connection, auth.hello, meeting.join. Nullptr with `error` set.
  test_support::ws_client* join(std::string& error);

  std::string host_;
  uint16_t port_;
  std::string token_;
  std::string meeting_id_;
  // Participants stay in the meeting (and their transports alive) while connected.
  std::vector<std::unique_ptr<test_support::ws_client>> connections_;
};

/// Starts `parleyd_binary` on loopback with the benchmark settings, signs a user in, opens
/// the meeting and runs the scenario; the result's error says what failed.
media_load_result run_parleyd_media_load(const std::string& parleyd_binary, const media::dtls_context& context,
                                         const media_load_settings& settings);

/// A unified-plan offer with one recvonly VP8 section `mid`: media.subscribe takes the
/// subscriber's offer.
std::string subscribe_offer(const webrtc_client_peer& peer, const std::string& mid);

} // namespace parley::bench
