// Media forwarding benchmark: the project's own ICE/DTLS/SRTP client publishes K synthetic
// VP8 streams and subscribes M receivers to each, first through Janus's VideoRoom (when
// --janus is given), then through parleyd (--parleyd=PATH, or the one built here; none skips), and prints forwarded packets/s, loss, server CPU per forwarded packet and
// the ratio of forwarded packets per server CPU second.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "benchmarks/bench_support.hpp"
#include "benchmarks/media/janus_videoroom_signaling.hpp"
#include "benchmarks/media/media_load_run.hpp"
#include "benchmarks/media/parley_meeting_signaling.hpp"
#include "media/dtls_certificate.hpp"
#include "media/dtls_context.hpp"
#include "media/srtp_session.hpp"

namespace {

using namespace parley;
using namespace parley::bench;

// Goals from the issue: ≥ 2× Janus's forwarded packets per CPU second, ≤ 5 µs of server CPU
// per forwarded packet, loss < 0.1 %.
constexpr double goal_ratio = 2.0;
constexpr double goal_us_per_packet = 5.0;
constexpr double goal_loss = 0.001;

bool split_host_port(const std::string& text, std::string& host, uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos)
    return false;
  host = text.substr(0, colon);
  const long p = std::strtol(text.c_str() + colon + 1, nullptr, 10);
  if (p <= 0 || p > 65535)
    return false;
  port = static_cast<uint16_t>(p);
  return true;
}

std::optional<media_load_result> run_janus(const options& opts, const media::dtls_context& context,
                                           const media_load_settings& settings) {
  const auto address = opts.text("janus", "");
  if (address.empty())
    return std::nullopt;
  media_load_result failed;
  failed.server = "Janus VideoRoom";
  std::string host;
  uint16_t port = 0;
  const long pid = opts.number("janus-pid", 0);
  if (!split_host_port(address, host, port) || pid <= 0) {
    failed.error = "--janus=HOST:PORT and --janus-pid=PID are both needed";
    return failed;
  }
  janus_videoroom_signaling signaling(host, port, static_cast<uint64_t>(opts.number("janus-room", 1234)));
  std::string error;
  const auto version = signaling.server_version(error);
  if (!signaling.connect(error)) {
    failed.error = "cannot open a Janus session: " + error;
    return failed;
  }
  return run_media_load(version.empty() ? "Janus VideoRoom" : version + " VideoRoom", signaling,
                        static_cast<pid_t>(pid), context, settings);
}

void print_summary(const char* name, const media_load_result& r) {
  std::printf("summary: %s forwarded %.0f packets/s, %.2f us CPU per packet (%.2f above its rest), %.0f packets per "
              "CPU second, loss %.4f%%, SRTP %s\n",
              name, r.forwarded_per_second(), r.server_cpu_us_per_packet(), r.server_cpu_us_per_packet_above_rest(),
              r.forwarded_per_cpu_second(), 100.0 * r.loss(),
              r.subscriber_profile ? std::string(media::to_string(*r.subscriber_profile)).c_str() : "none");
}

} // namespace

int main(int argc, char** argv) {
  const options opts(argc, argv);
  raise_file_limit();
  media_load_settings settings;
  settings.streams = static_cast<size_t>(opts.number("streams", 4));
  settings.receivers_per_stream = static_cast<size_t>(opts.number("receivers", 4));
  settings.warmup = std::chrono::seconds(opts.number("warmup-s", 3));
  settings.measure = std::chrono::seconds(opts.number("duration-s", 15));
  settings.bind_address = opts.text("client-address", "127.0.0.1");
  if (settings.streams == 0 || settings.receivers_per_stream == 0 || settings.measure.count() <= 0) {
    std::fprintf(stderr, "--streams, --receivers and --duration-s must be positive\n");
    return 2;
  }

  if (!media::ensure_srtp_initialized()) {
    std::fprintf(stderr, "SRTP ciphers are not available from OpenSSL\n");
    return 1;
  }
  const auto certificate = media::dtls_certificate::generate("parley-media-load");
  // The client's SRTP offer is the server preference list: AES-256-GCM first.
  const auto context = certificate ? media::dtls_context::create(*certificate) : nullptr;
  if (!context) {
    std::fprintf(stderr, "cannot create the client's DTLS identity\n");
    return 1;
  }

  std::printf("media load: %zu streams x %zu receivers, ~200 packets/s of 1200 bytes per stream, keyframe every 2 s; "
              "client offers AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80\n",
              settings.streams, settings.receivers_per_stream);
  std::fflush(stdout);

  const auto janus = run_janus(opts, *context, settings);
  if (janus)
    print_media_load_result(*janus);
  std::fflush(stdout);

  bool failed = janus && !janus->error.empty();
  if (janus && janus->error.empty())
    print_summary("janus", *janus);

  // parleyd: the same tool and scenario, right after Janus in the same run.
  const auto parleyd_binary = opts.text("parleyd", PARLEY_BENCH_PARLEYD);
  std::optional<media_load_result> parleyd;
  if (parleyd_binary != "none") {
    parleyd = run_parleyd_media_load(parleyd_binary, *context, settings);
    print_media_load_result(*parleyd);
    failed = failed || !parleyd->error.empty();
    if (parleyd->error.empty())
      print_summary("parleyd", *parleyd);
  }
  std::fflush(stdout);

  if (parleyd && parleyd->error.empty()) {
    const double us = parleyd->server_cpu_us_per_packet();
    std::printf("goal: parleyd CPU per forwarded packet %.2f us (goal <= %.1f us): %s\n", us, goal_us_per_packet,
                parleyd->forwarded > 0 && us <= goal_us_per_packet ? "met" : "NOT met");
    std::printf("goal: parleyd loss %.4f%% (goal < %.1f%%): %s\n", 100.0 * parleyd->loss(), 100.0 * goal_loss,
                parleyd->expected > 0 && parleyd->loss() < goal_loss ? "met" : "NOT met");
    if (janus && janus->error.empty() && janus->forwarded_per_cpu_second() > 0) {
      const double ratio = parleyd->forwarded_per_cpu_second() / janus->forwarded_per_cpu_second();
      std::printf("ratio: parleyd forwarded packets per CPU second / Janus's = %.0f / %.0f = %.2fx (goal >= %.1fx): %s\n",
                  parleyd->forwarded_per_cpu_second(), janus->forwarded_per_cpu_second(), ratio, goal_ratio,
                  ratio >= goal_ratio ? "met" : "NOT met");
    } else {
      std::printf("ratio: no Janus figures in this run (run benchmarks/run_media.sh as root with janus installed)\n");
    }
  }
  return failed ? 1 : 0;
}
