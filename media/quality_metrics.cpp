// Rendering of per-transport loss, jitter, RTT, bitrate and repair counters.
#include "media/quality_metrics.hpp"

#include <cstdio>

namespace parley::media {

namespace {

struct family {
  const char* name;
  const char* type;
  const char* help;
};

void append_value(std::string& out, double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6g", value);
  out += text;
}

template <typename Read>
void append_family(std::string& out, std::span<const worker_quality> workers, const family& f, const char* direction,
                   bool header, Read&& read) {
  if (header) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    out += f.help;
    out += "\n# TYPE ";
    out += f.name;
    out += ' ';
    out += f.type;
    out += '\n';
  }
  for (const auto& w : workers)
    for (const auto& [id, c] : w.transports) {
      double value = 0;
      if (!read(c, value)) continue;
      out += f.name;
      out += "{worker=\"" + std::to_string(w.worker) + "\",transport=\"" + std::to_string(id) + "\"";
      if (direction != nullptr) {
        out += ",direction=\"";
        out += direction;
        out += '"';
      }
      out += "} ";
      append_value(out, value);
      out += '\n';
    }
}

}  // namespace

std::string render_quality_metrics(std::span<const worker_quality> workers) {
  std::string out;
  size_t count = 0;
  for (const auto& w : workers) count += w.transports.size();
  out += "# HELP parley_media_transports Media transports on this node's workers.\n"
         "# TYPE parley_media_transports gauge\nparley_media_transports ";
  append_value(out, static_cast<double>(count));
  out += '\n';
  auto both = [&](const family& f, auto in, auto outgoing) {
    append_family(out, workers, f, "in", true, in);
    append_family(out, workers, f, "out", false, outgoing);
  };
  both({"parley_media_transport_bitrate_bps", "gauge", "Media bitrate per transport over the last second."},
       [](const transport_counters& c, double& v) { v = static_cast<double>(c.bitrate_in_bps); return true; },
       [](const transport_counters& c, double& v) { v = static_cast<double>(c.bitrate_out_bps); return true; });
  both({"parley_media_transport_loss_ratio", "gauge",
        "Fraction of RTP packets lost: in = measured by the server, out = reported by the client."},
       [](const transport_counters& c, double& v) { v = c.loss_in; return true; },
       [](const transport_counters& c, double& v) { v = c.loss_out; return true; });
  both({"parley_media_transport_jitter_seconds", "gauge",
        "Worst RTP interarrival jitter: in = measured by the server, out = reported by the client."},
       [](const transport_counters& c, double& v) { v = c.jitter_in_ms / 1000.0; return true; },
       [](const transport_counters& c, double& v) { v = c.jitter_out_ms / 1000.0; return true; });
  append_family(out, workers,
                {"parley_media_transport_rtt_seconds", "gauge",
                 "Round-trip time from the client's receiver reports (absent until known)."},
                nullptr, true, [](const transport_counters& c, double& v) {
                  v = static_cast<double>(c.rtt_ms) / 1000.0;
                  return c.rtt_ms >= 0;
                });
  both({"parley_media_transport_estimate_bps", "gauge",
        "Bandwidth estimate: in = REMB sent to the publisher, out = send-side estimate for the subscriber."},
       [](const transport_counters& c, double& v) {
         v = static_cast<double>(c.receive_estimate_bps);
         return c.receive_estimate_bps != 0;
       },
       [](const transport_counters& c, double& v) {
         v = static_cast<double>(c.send_estimate_bps);
         return c.send_estimate_bps != 0;
       });
  both({"parley_media_transport_packets_total", "counter", "RTP packets per transport."},
       [](const transport_counters& c, double& v) { v = static_cast<double>(c.packets_in); return true; },
       [](const transport_counters& c, double& v) { v = static_cast<double>(c.packets_out); return true; });
  both({"parley_media_transport_nacks_total", "counter",
        "NACK packets: in = from the subscriber, out = sent to the publisher."},
       [](const transport_counters& c, double& v) { v = static_cast<double>(c.nacks_received); return true; },
       [](const transport_counters& c, double& v) { v = static_cast<double>(c.nacks_sent); return true; });
  append_family(out, workers,
                {"parley_media_transport_retransmitted_packets_total", "counter",
                 "Packets resent to the subscriber from the retransmission cache."},
                nullptr, true, [](const transport_counters& c, double& v) {
                  v = static_cast<double>(c.packets_retransmitted);
                  return true;
                });
  append_family(out, workers,
                {"parley_media_transport_repaired_packets_total", "counter",
                 "Lost packets from the publisher that arrived after a NACK."},
                nullptr, true, [](const transport_counters& c, double& v) {
                  v = static_cast<double>(c.packets_repaired);
                  return true;
                });
  return out;
}

}  // namespace parley::media
