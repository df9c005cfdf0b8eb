// One WebSocket per participant, requests answered synchronously; the server's answer SDP
// comes back in the op's result.
#include "benchmarks/media/parley_meeting_signaling.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "benchmarks/bench_support.hpp"
#include "benchmarks/child_process.hpp"
#include "benchmarks/parleyd_client.hpp"

#include "media/sdp_session.hpp"
#include "tests/support/ws_client.hpp"

namespace parley::bench {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// An op that failed, as "code: message", or empty when it succeeded.
std::string op_error(const json& response) {
  if (test_support::is_ws_ok(response))
    return {};
  if (response.contains("error"))
    return response["error"].value("code", "?") + ": " + response["error"].value("message", "");
  return "unexpected response " + response.dump().substr(0, 200);
}

bool start_from_answer(webrtc_client_peer& peer, const json& result, std::string& error) {
  if (!result.contains("sdp") || !result["sdp"].is_string()) {
    error = "the result has no sdp";
    return false;
  }
  auto answer = media::sdp_session::parse(result["sdp"].get<std::string>());
  if (!answer) {
    error = "parleyd's answer does not parse";
    return false;
  }
  remote_transport transport;
  if (!remote_transport_of(*answer, transport, error))
    return false;
  peer.start(transport, std::chrono::steady_clock::now());
  return true;
}

} // namespace

std::string subscribe_offer(const webrtc_client_peer& peer, const std::string& mid) {
  std::ostringstream out;
  out << "v=0\r\n"
      << "o=- " << peer.local_port() << "000 2 IN IP4 " << peer.local_address() << "\r\n"
      << "s=-\r\n"
      << "t=0 0\r\n"
      << "a=group:BUNDLE " << mid << "\r\n"
      << "a=msid-semantic: WMS\r\n"
      << "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
      << "c=IN IP4 " << peer.local_address() << "\r\n"
      << "a=rtcp:9 IN IP4 0.0.0.0\r\n"
      << "a=ice-ufrag:" << peer.ice_ufrag() << "\r\n"
      << "a=ice-pwd:" << peer.ice_pwd() << "\r\n"
      << "a=fingerprint:" << peer.fingerprint() << "\r\n"
      << "a=setup:actpass\r\n"
      << "a=mid:" << mid << "\r\n"
      << "a=extmap:4 " << mid_extension_uri << "\r\n"
      << "a=recvonly\r\n"
      << "a=rtcp-mux\r\n"
      << "a=rtcp-rsize\r\n"
      << "a=rtpmap:96 VP8/90000\r\n"
      << "a=rtcp-fb:96 ccm fir\r\n"
      << "a=rtcp-fb:96 nack\r\n"
      << "a=rtcp-fb:96 nack pli\r\n"
      << "a=candidate:1 1 udp 2130706431 " << peer.local_address() << ' ' << peer.local_port() << " typ host\r\n"
      << "a=end-of-candidates\r\n";
  return out.str();
}

parley_meeting_signaling::parley_meeting_signaling(std::string host, uint16_t port, std::string token)
    : host_(std::move(host)), port_(port), token_(std::move(token)) {}

parley_meeting_signaling::~parley_meeting_signaling() = default;

test_support::ws_client* parley_meeting_signaling::join(std::string& error) {
  try {
    auto connection = std::make_unique<test_support::ws_client>(host_, port_);
    auto hello = connection->hello(token_);
    if (auto e = op_error(hello); !e.empty()) {
      error = "auth.hello: " + e;
      return nullptr;
    }
    if (!meeting_id_.empty()) {
      auto joined = connection->call("meeting.join", {{"meeting_id", meeting_id_}, {"display_name", "load client"}});
      if (auto e = op_error(joined); !e.empty()) {
        error = "meeting.join: " + e;
        return nullptr;
      }
    }
    connections_.push_back(std::move(connection));
    return connections_.back().get();
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
}

bool parley_meeting_signaling::connect(std::string& error) {
  auto* host = join(error);
  if (host == nullptr)
    return false;
  try {
    auto created = host->call("meeting.create", {{"topic", "media benchmark"},
                                                 {"settings", {{"join_before_host", true}, {"max_participants", 1000}}}});
    if (auto e = op_error(created); !e.empty()) {
      error = "meeting.create: " + e;
      return false;
    }
    meeting_id_ = created["result"]["meeting_id"].get<std::string>();
    auto joined = host->call("meeting.join", {{"meeting_id", meeting_id_}});
    if (auto e = op_error(joined); !e.empty()) {
      error = "meeting.join (host): " + e;
      return false;
    }
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

bool parley_meeting_signaling::publish(webrtc_client_peer& peer, publish_offer_settings& settings, publication& out,
                                       std::string& error) {
  auto* participant = join(error);
  if (participant == nullptr)
    return false;
  try {
    // A participant's camera starts off (docs/protocol.md): the router drops it until it is on.
    auto camera_on = participant->call("self.video", {{"off", false}});
    if (auto e = op_error(camera_on); !e.empty()) {
      error = "self.video: " + e;
      return false;
    }
    settings.setup = "actpass";
    // A participant's camera starts off (docs/protocol.md): turn it on, or the server drops
    // every packet of the camera producer as a muted one.
    if (settings.source == "camera")
      if (auto e = op_error(participant->call("self.video", {{"off", false}}, 20s)); !e.empty()) {
        error = "self.video: " + e;
        return false;
      }
    auto published = participant->call(
        "media.publish", {{"sdp", publish_offer(peer, settings)}, {"mid", "0"}, {"source", settings.source}}, 20s);
    if (auto e = op_error(published); !e.empty()) {
      error = "media.publish: " + e;
      return false;
    }
    const auto& result = published["result"];
    out.id = result.value("producer_id", "");
    out.ssrc = settings.ssrc;
    if (auto answer = media::sdp_session::parse(result.value("sdp", ""))) {
      if (const auto pt = vp8_payload_type(*answer))
        settings.payload_type = *pt;
      for (const auto& m : answer->media)
        if (const auto id = m.extmap_id(mid_extension_uri))
          settings.mid_extension_id = static_cast<uint8_t>(*id);
    }
    return start_from_answer(peer, result, error);
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

nlohmann::json parley_meeting_signaling::call_as(size_t index, const std::string& op, const nlohmann::json& args) {
  if (index >= connections_.size())
    throw std::out_of_range("no participant " + std::to_string(index));
  return connections_[index]->call(op, args, 20s);
}

bool parley_meeting_signaling::subscribe(webrtc_client_peer& peer, const publication& source, std::string& error) {
  auto* participant = join(error);
  if (participant == nullptr)
    return false;
  try {
    auto subscribed = participant->call(
        "media.subscribe", {{"sdp", subscribe_offer(peer, "0")}, {"mid", "0"}, {"producer_id", source.id}}, 20s);
    if (auto e = op_error(subscribed); !e.empty()) {
      error = "media.subscribe: " + e;
      return false;
    }
    return start_from_answer(peer, subscribed["result"], error);
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

media_load_result run_parleyd_media_load(const std::string& parleyd_binary, const media::dtls_context& context,
                                         const media_load_settings& settings) {
  media_load_result failed;
  failed.server = "parleyd";
  temp_folder data(std::filesystem::temp_directory_path(), "parley-media-bench-");
  if (!data.ok()) {
    failed.error = "cannot create a data folder";
    return failed;
  }
  // The WSS benchmarks' settings, plus: participant connections stay quiet while media
  // flows, so the idle timeout must outlast the run.
  std::vector<std::string> argv{parleyd_binary,
                                "--port=0",
                                "--bind=127.0.0.1",
                                "--data-dir=" + data.path().string(),
                                "--registration=open",
                                "--argon2-ops=1",
                                "--argon2-mem-kib=8192",
                                "--ws-ops-per-second=1000000",
                                "--ws-ops-burst=1000000",
                                "--ws-idle-timeout=3600"};
  std::string error;
  auto server = child_process::start(argv, {"PARLEY_ADMIN_PASSWORD=Bench-Admin-2024!"},
                                     (data.path() / "parleyd.log").string(), std::chrono::seconds(30), error);
  if (!server) {
    failed.error = "parleyd did not start: " + error;
    return failed;
  }
  const auto token = sign_up_and_log_in(server->host(), server->port(), error);
  if (token.empty()) {
    failed.error = "cannot sign in to parleyd: " + error;
    return failed;
  }
  parley_meeting_signaling signaling(server->host(), server->port(), token);
  if (!signaling.connect(error)) {
    failed.error = "cannot open the benchmark meeting: " + error;
    return failed;
  }
  auto result = run_media_load("parleyd", signaling, server->pid(), context, settings);
  server->stop();
  return result;
}

} // namespace parley::bench
