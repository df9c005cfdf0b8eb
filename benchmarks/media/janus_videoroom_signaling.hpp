// Janus's VideoRoom plugin over its HTTP (REST) transport: one Janus session, one plugin
// handle per peer, publishers with joinandconfigure, subscribers with join + start.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "benchmarks/media/sfu_signaling.hpp"

namespace parley::bench {

class janus_videoroom_signaling final : public sfu_signaling {
public:
  /// `room` must exist (the benchmark script configures it).
  janus_videoroom_signaling(std::string host, uint16_t port, uint64_t room);

  /// Creates the Janus session; call once before publish/subscribe.
  bool connect(std::string& error);

  bool publish(webrtc_client_peer& peer, publish_offer_settings& settings, publication& out,
               std::string& error) override;
  bool subscribe(webrtc_client_peer& peer, const publication& source, std::string& error) override;

  /// Janus's "server" string from /janus/info, for the report.
  std::string server_version(std::string& error);

private:
  std::optional<nlohmann::json> post(const std::string& target, nlohmann::json request, std::string& error);
  std::optional<uint64_t> attach(std::string& error);
  // The plugin event that answers `transaction` on `handle` (Janus sends async replies
  // through the session's long-poll).
  std::optional<nlohmann::json> wait_event(uint64_t handle, const std::string& transaction, std::string& error);
  std::string next_transaction();

  std::string host_;
  uint16_t port_;
  uint64_t room_;
  uint64_t session_ = 0;
  uint64_t transactions_ = 0;
  std::deque<nlohmann::json> pending_events_;
};

} // namespace parley::bench
