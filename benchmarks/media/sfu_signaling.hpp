// What the load tool needs from a server's signaling, whichever server it is: publish one
// stream from a peer, subscribe a peer to a published stream. Each call runs the whole
// offer/answer exchange and starts the peer's ICE towards the server's candidate.
#pragma once

#include <string>

#include "benchmarks/media/client_sdp.hpp"
#include "benchmarks/media/webrtc_client_peer.hpp"

namespace parley::bench {

/// A published stream, as the server names it to subscribers.
struct publication {
  std::string id;
  uint32_t ssrc = 0;
};

class sfu_signaling {
public:
  virtual ~sfu_signaling() = default;

  /// Sends `peer`'s sendonly offer (see publish_offer), applies the answer, starts the peer.
  /// The answer's VP8 payload type and mid extension id go back into `settings`.
  virtual bool publish(webrtc_client_peer& peer, publish_offer_settings& settings, publication& out,
                       std::string& error) = 0;

  /// Subscribes `peer` to `source` and starts it.
  virtual bool subscribe(webrtc_client_peer& peer, const publication& source, std::string& error) = 0;
};

} // namespace parley::bench
