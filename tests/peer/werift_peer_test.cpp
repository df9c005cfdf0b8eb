// Standards, not one browser: a werift peer (Node.js) publishes VP8 through a real parleyd,
// and a second werift peer, subscribed through parleyd's media ops, receives its packets.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "tests/support/parleyd_process.hpp"
#include "tests/support/rest_api.hpp"
#include "tests/support/ws_client.hpp"

using namespace parley::test_support;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// One `node werift_peer.mjs MODE` child, spoken to in JSON lines over its stdin and stdout.
class werift_peer {
public:
  explicit werift_peer(const std::string& mode) {
    int to_child[2];
    int from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0)
      throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(to_child[0], STDIN_FILENO);
      dup2(from_child[1], STDOUT_FILENO);
      if (chdir(PARLEY_PEER_DIR) != 0)
        _exit(127);
      execl(PARLEY_NODE, PARLEY_NODE, "werift_peer.mjs", mode.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    input_ = to_child[1];
    output_ = from_child[0];
  }

  ~werift_peer() {
    close(input_);  // the peer exits when its stdin closes
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      usleep(20'000);
    }
    close(output_);
  }
  werift_peer(const werift_peer&) = delete;
  werift_peer& operator=(const werift_peer&) = delete;

  void send(const json& message) {
    const auto line = message.dump() + "\n";
    REQUIRE(write(input_, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
  }

  // The first line that satisfies `wanted`; an {"event":"failed"} line ends the wait.
  std::optional<json> wait_for(const std::function<bool(const json&)>& wanted, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      for (auto end = buffer_.find('\n'); end != std::string::npos; end = buffer_.find('\n')) {
        auto message = json::parse(buffer_.substr(0, end), nullptr, false);
        buffer_.erase(0, end + 1);
        if (message.is_discarded())
          continue;
        last_ = message;
        if (message.value("event", "") == "failed") {
          failure_ = message.value("reason", "");
          return std::nullopt;
        }
        if (wanted(message))
          return message;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return std::nullopt;
      pollfd p{output_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0)
        continue;
      char chunk[65536];
      const ssize_t n = read(output_, chunk, sizeof chunk);
      if (n <= 0)
        return std::nullopt;  // the peer exited
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  const std::string& failure() const { return failure_; }
  const json& last() const { return last_; }

private:
  pid_t pid_ = -1;
  int input_ = -1;
  int output_ = -1;
  std::string buffer_;
  std::string failure_;
  json last_;
};

bool is_offer(const json& m) { return m.value("type", "") == "offer"; }

json ok_result(ws_client& client, const std::string& op, const json& args) {
  auto response = client.call(op, args, 20s);
  INFO(op << " -> " << response.dump());
  REQUIRE(is_ws_ok(response));
  return response["result"];
}

} // namespace

TEST_CASE("a werift peer publishes VP8 through parleyd and another werift peer receives it", "[werift]") {
  parleyd_options options;
  options.args = {"--registration=open"};
  parleyd_process server(options);
  https_client rest(server.host(), server.port());
  const auto user = register_account(rest, unique_username("werift"));
  const auto token = login_token(rest, user.username);

  ws_client host(server.host(), server.port());
  REQUIRE(is_ws_ok(host.hello(token)));
  const auto meeting = ok_result(host, "meeting.create",
                                 {{"topic", "werift interop"}, {"settings", {{"join_before_host", true}}}});
  const auto meeting_id = meeting["meeting_id"].get<std::string>();
  ok_result(host, "meeting.join", {{"meeting_id", meeting_id}});

  // The publisher: its offer goes through media.publish, parleyd's answer back to it.
  ws_client publisher_ws(server.host(), server.port());
  REQUIRE(is_ws_ok(publisher_ws.hello(token)));
  ok_result(publisher_ws, "meeting.join", {{"meeting_id", meeting_id}});
  ok_result(publisher_ws, "self.video", {{"off", false}}); // a camera starts off; the router drops it until on
  werift_peer publisher("publish");
  const auto publisher_offer = publisher.wait_for(is_offer, 60s);
  INFO("publisher: " << publisher.failure());
  REQUIRE(publisher_offer);
  const auto published = ok_result(publisher_ws, "media.publish",
                                   {{"sdp", (*publisher_offer)["sdp"]}, {"mid", (*publisher_offer)["mid"]},
                                    {"source", "camera"}});
  const auto producer_id = published["producer_id"].get<std::string>();
  publisher.send({{"type", "answer"}, {"sdp", published["sdp"]}});
  REQUIRE(publisher.wait_for([](const json& m) { return m.value("event", "") == "connected"; }, 60s));

  // The receiver subscribes to that producer.
  ws_client receiver_ws(server.host(), server.port());
  REQUIRE(is_ws_ok(receiver_ws.hello(token)));
  ok_result(receiver_ws, "meeting.join", {{"meeting_id", meeting_id}});
  werift_peer receiver("receive");
  const auto receiver_offer = receiver.wait_for(is_offer, 60s);
  INFO("receiver: " << receiver.failure());
  REQUIRE(receiver_offer);
  const auto subscribed = ok_result(receiver_ws, "media.subscribe",
                                    {{"sdp", (*receiver_offer)["sdp"]}, {"mid", (*receiver_offer)["mid"]},
                                     {"producer_id", producer_id}});
  receiver.send({{"type", "answer"}, {"sdp", subscribed["sdp"]}});

  // What a user would notice: the publisher's packets (its payload marker), keyframes included,
  // keep arriving at the receiver.
  const auto received = receiver.wait_for(
      [](const json& m) {
        return m.value("event", "") == "received" && m.value("payload_ok", 0) >= 200 && m.value("keyframes", 0) >= 1;
      },
      90s);
  INFO("receiver's last report: " << receiver.last().dump() << " " << receiver.failure());
  REQUIRE(received);
  CHECK((*received)["packets"].get<int>() >= 200);
}
