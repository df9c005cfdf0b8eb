// Janus REST: POST /janus creates a session, POST /janus/SESSION attaches a handle, POST
// /janus/SESSION/HANDLE sends a plugin message (acknowledged at once, answered later by an
// event), GET /janus/SESSION long-polls for those events.
#include "benchmarks/media/janus_videoroom_signaling.hpp"

#include "benchmarks/media/http_json_client.hpp"
#include "media/sdp_session.hpp"

namespace parley::bench {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto request_timeout = 10s;
constexpr auto event_timeout = 20s;
// Janus holds a long-poll up to 30 s when there is nothing to say.
constexpr auto long_poll_timeout = 35s;

std::string plugin_error(const json& event) {
  const auto& data = event["plugindata"]["data"];
  if (data.contains("error"))
    return "Janus VideoRoom error " + data.value("error_code", json(0)).dump() + ": " + data["error"].get<std::string>();
  return {};
}

bool start_peer(webrtc_client_peer& peer, const media::sdp_session& remote, std::string& error) {
  remote_transport transport;
  if (!remote_transport_of(remote, transport, error))
    return false;
  peer.start(transport, std::chrono::steady_clock::now());
  return true;
}

} // namespace

janus_videoroom_signaling::janus_videoroom_signaling(std::string host, uint16_t port, uint64_t room)
    : host_(std::move(host)), port_(port), room_(room) {}

std::string janus_videoroom_signaling::next_transaction() { return "t" + std::to_string(++transactions_); }

std::optional<json> janus_videoroom_signaling::post(const std::string& target, json request, std::string& error) {
  request["transaction"] = next_transaction();
  const auto response = http_exchange(host_, port_, "POST", target, request.dump(), request_timeout, error);
  if (!response)
    return std::nullopt;
  auto reply = json::parse(response->body, nullptr, false);
  if (response->status != 200 || reply.is_discarded()) {
    error = "Janus answered HTTP " + std::to_string(response->status) + ": " + response->body.substr(0, 200);
    return std::nullopt;
  }
  if (reply.value("janus", "") == "error") {
    error = "Janus error: " + reply["error"].dump();
    return std::nullopt;
  }
  reply["transaction"] = request["transaction"];
  return reply;
}

bool janus_videoroom_signaling::connect(std::string& error) {
  auto reply = post("/janus", {{"janus", "create"}}, error);
  if (!reply)
    return false;
  session_ = (*reply)["data"]["id"].get<uint64_t>();
  return true;
}

std::string janus_videoroom_signaling::server_version(std::string& error) {
  const auto response = http_exchange(host_, port_, "GET", "/janus/info", "", request_timeout, error);
  if (!response)
    return {};
  auto info = json::parse(response->body, nullptr, false);
  if (info.is_discarded())
    return {};
  return info.value("name", "Janus") + " " + info.value("version_string", "");
}

std::optional<uint64_t> janus_videoroom_signaling::attach(std::string& error) {
  auto reply = post("/janus/" + std::to_string(session_), {{"janus", "attach"}, {"plugin", "janus.plugin.videoroom"}},
                    error);
  if (!reply)
    return std::nullopt;
  return (*reply)["data"]["id"].get<uint64_t>();
}

std::optional<json> janus_videoroom_signaling::wait_event(uint64_t handle, const std::string& transaction,
                                                          std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + event_timeout;
  for (;;) {
    for (auto it = pending_events_.begin(); it != pending_events_.end(); ++it) {
      if (it->value("janus", "") == "event" && it->value("sender", uint64_t{0}) == handle &&
          it->value("transaction", "") == transaction) {
        json event = std::move(*it);
        pending_events_.erase(it);
        if (auto e = plugin_error(event); !e.empty()) {
          error = e;
          return std::nullopt;
        }
        return event;
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      error = "no Janus event for transaction " + transaction;
      return std::nullopt;
    }
    const auto response = http_exchange(host_, port_, "GET", "/janus/" + std::to_string(session_) + "?maxev=10", "",
                                        long_poll_timeout, error);
    if (!response)
      return std::nullopt;
    auto events = json::parse(response->body, nullptr, false);
    if (events.is_discarded())
      continue;
    if (!events.is_array())
      events = json::array({events});
    for (auto& e : events) {
      // Only replies to our messages matter; webrtcup, media and keepalive are dropped.
      if (e.value("janus", "") == "event" && e.contains("transaction"))
        pending_events_.push_back(std::move(e));
    }
  }
}

bool janus_videoroom_signaling::publish(webrtc_client_peer& peer, publish_offer_settings& settings, publication& out,
                                        std::string& error) {
  const auto handle = attach(error);
  if (!handle)
    return false;
  // Janus answers an actpass offer with setup:active (it would be the DTLS client); the
  // load client is a DTLS client, so it offers active and Janus answers passive.
  settings.setup = "active";
  json body = {{"request", "joinandconfigure"}, {"room", room_},   {"ptype", "publisher"},
               {"display", settings.stream_name}, {"audio", false}, {"video", true}};
  json request = {{"janus", "message"}, {"body", body}, {"jsep", {{"type", "offer"}, {"sdp", publish_offer(peer, settings)}}}};
  const auto ack = post("/janus/" + std::to_string(session_) + "/" + std::to_string(*handle), request, error);
  if (!ack)
    return false;
  const auto event = wait_event(*handle, (*ack)["transaction"].get<std::string>(), error);
  if (!event)
    return false;
  if (!event->contains("jsep")) {
    error = "Janus joined the publisher without an SDP answer";
    return false;
  }
  auto answer = media::sdp_session::parse((*event)["jsep"]["sdp"].get<std::string>());
  if (!answer) {
    error = "Janus's answer does not parse";
    return false;
  }
  if (const auto pt = vp8_payload_type(*answer))
    settings.payload_type = *pt;
  for (const auto& m : answer->media)
    if (const auto id = m.extmap_id(mid_extension_uri))
      settings.mid_extension_id = static_cast<uint8_t>(*id);
  out.id = std::to_string((*event)["plugindata"]["data"]["id"].get<uint64_t>());
  out.ssrc = settings.ssrc;
  return start_peer(peer, *answer, error);
}

bool janus_videoroom_signaling::subscribe(webrtc_client_peer& peer, const publication& source, std::string& error) {
  const auto handle = attach(error);
  if (!handle)
    return false;
  const std::string target = "/janus/" + std::to_string(session_) + "/" + std::to_string(*handle);
  json join = {{"janus", "message"},
               {"body",
                {{"request", "join"},
                 {"room", room_},
                 {"ptype", "subscriber"},
                 {"streams", json::array({{{"feed", std::stoull(source.id)}}})}}}};
  const auto ack = post(target, join, error);
  if (!ack)
    return false;
  const auto attached = wait_event(*handle, (*ack)["transaction"].get<std::string>(), error);
  if (!attached)
    return false;
  if (!attached->contains("jsep")) {
    error = "Janus attached the subscriber without an SDP offer";
    return false;
  }
  auto offer = media::sdp_session::parse((*attached)["jsep"]["sdp"].get<std::string>());
  if (!offer) {
    error = "Janus's offer does not parse";
    return false;
  }
  const auto answer = subscribe_answer(peer, *offer, error);
  if (answer.empty())
    return false;
  json start = {{"janus", "message"},
                {"body", {{"request", "start"}}},
                {"jsep", {{"type", "answer"}, {"sdp", answer}}}};
  const auto start_ack = post(target, start, error);
  if (!start_ack)
    return false;
  if (!wait_event(*handle, (*start_ack)["transaction"].get<std::string>(), error))
    return false;
  return start_peer(peer, *offer, error);
}

} // namespace parley::bench
