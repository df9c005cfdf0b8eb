// One run of the media load scenario against one server: K published synthetic VP8
// streams, M subscribers per stream, a warm-up, then a measured window in which the
// subscribers count what the server forwarded and /proc counts the server's CPU.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "benchmarks/media/sfu_signaling.hpp"
#include "media/dtls_context.hpp"

namespace parley::bench {

struct media_load_settings {
  size_t streams = 4;               // K publishers, one video stream each
  size_t receivers_per_stream = 4;  // M subscribers per stream
  std::chrono::seconds warmup{3};
  std::chrono::seconds measure{15};
  std::chrono::seconds connect_timeout{30};
  std::string bind_address = "127.0.0.1";
};

struct media_load_result {
  std::string server;
  std::string error;  // set when the run could not be measured
  std::optional<media::srtp_profile> publisher_profile;   // negotiated on the first publisher
  std::optional<media::srtp_profile> subscriber_profile;  // negotiated on the first subscriber
  bool profiles_uniform = true;   // every peer got the same profile as the first
  size_t publishers_connected = 0;
  size_t subscribers_connected = 0;
  double seconds = 0;               // measured window
  uint64_t sent = 0;                // packets the publishers sent in the window
  uint64_t forwarded = 0;           // packets the subscribers received in the window
  uint64_t expected = 0;            // packets the subscribers' sequence numbers account for
  uint64_t lost = 0;
  uint64_t keyframes = 0;           // keyframe starts the subscribers received
  uint64_t srtp_errors = 0;
  double server_cpu_seconds = 0;
  double client_cpu_seconds = 0;
  // The server's CPU rate (cores) with signaling up and no media yet: its fixed cost, which the
  // per-packet figure includes and a busier run spreads over more packets.
  double server_rest_cores = 0;

  [[nodiscard]] double forwarded_per_second() const { return seconds > 0 ? forwarded / seconds : 0; }
  [[nodiscard]] double loss() const { return expected > 0 ? static_cast<double>(lost) / expected : 0; }
  [[nodiscard]] double server_cpu_us_per_packet() const {
    return forwarded > 0 ? server_cpu_seconds * 1e6 / static_cast<double>(forwarded) : 0;
  }
  /// Server CPU per forwarded packet above its rate at rest (the marginal cost of forwarding).
  [[nodiscard]] double server_cpu_us_per_packet_above_rest() const {
    const double above = server_cpu_seconds - server_rest_cores * seconds;
    return forwarded > 0 ? std::max(0.0, above) * 1e6 / static_cast<double>(forwarded) : 0;
  }
  [[nodiscard]] double forwarded_per_cpu_second() const {
    return server_cpu_seconds > 0 ? forwarded / server_cpu_seconds : 0;
  }
};

/// Runs the scenario through `signaling` against the server process `server_pid`.
/// `context` is the client's DTLS identity and SRTP offer (AES-256-GCM first).
media_load_result run_media_load(const std::string& server_name, sfu_signaling& signaling, pid_t server_pid,
                                 const media::dtls_context& context, const media_load_settings& settings);

/// One line per figure, for people.
void print_media_load_result(const media_load_result& result);

} // namespace parley::bench
