// The /metrics text of the media plane: quality per transport, by number only.
#include "media/quality_metrics.hpp"

#include <catch2/catch.hpp>

using namespace parley::media;

TEST_CASE("quality figures render as Prometheus gauges labelled by worker and transport", "[quality_metrics]") {
  transport_counters c;
  c.bitrate_in_bps = 1'500'000;
  c.bitrate_out_bps = 300'000;
  c.loss_in = 0.02;
  c.loss_out = 0.25;
  c.jitter_in_ms = 12;
  c.rtt_ms = 80;
  c.packets_retransmitted = 7;
  transport_counters unknown_rtt;
  std::vector<worker_quality> workers{{0, {{17, c}}}, {1, {{42, unknown_rtt}}}};
  const auto text = render_quality_metrics(workers);
  CHECK(text.find("parley_media_transports 2\n") != std::string::npos);
  CHECK(text.find("# TYPE parley_media_transport_loss_ratio gauge\n") != std::string::npos);
  CHECK(text.find("parley_media_transport_bitrate_bps{worker=\"0\",transport=\"17\",direction=\"in\"} 1.5e+06\n") !=
        std::string::npos);
  CHECK(text.find("parley_media_transport_loss_ratio{worker=\"0\",transport=\"17\",direction=\"out\"} 0.25\n") !=
        std::string::npos);
  CHECK(text.find("parley_media_transport_jitter_seconds{worker=\"0\",transport=\"17\",direction=\"in\"} 0.012\n") !=
        std::string::npos);
  CHECK(text.find("parley_media_transport_rtt_seconds{worker=\"0\",transport=\"17\"} 0.08\n") != std::string::npos);
  CHECK(text.find("parley_media_transport_rtt_seconds{worker=\"1\"") == std::string::npos);  // unknown: no line
  CHECK(text.find("parley_media_transport_retransmitted_packets_total{worker=\"0\",transport=\"17\"} 7\n") !=
        std::string::npos);
  // Each family is declared once.
  const auto first = text.find("# TYPE parley_media_transport_bitrate_bps");
  CHECK(text.find("# TYPE parley_media_transport_bitrate_bps", first + 1) == std::string::npos);
}
