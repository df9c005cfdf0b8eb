// Idle conversation actors retire and come back on the next op; sends racing a retirement keep
// one gap-free order, and retries after it are still recognised.
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/messaging/messaging_harness.hpp"

using namespace parley::test_support;

namespace {

double retired_channels(const parleyd_process& server) {
  https_client client(server.host(), server.port());
  auto response = client.get("/metrics");
  REQUIRE(response.status == 200);
  return metric_sum(response.body, "parley_im_channels_retired_total").value_or(0);
}

} // namespace

TEST_CASE("sends racing the retirement of an idle conversation keep one gap-free order", "[messaging][retirement]") {
  auto options = meeting_server_options();
  options.args.push_back("--im-channel-idle-ms=15");
  parleyd_process server(options);
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  const auto id = open_direct(ann.ws, ben.user);
  auto listener = reconnect(server, ben.token);

  // An idle conversation retires, and the next op brings it back with its timeline.
  auto first = send_text(ann.ws, id, "before the pause");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (retired_channels(server) < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  REQUIRE(retired_channels(server) >= 1);
  CHECK(send_text(ben.ws, id, "after the pause") == first + 1);

  // Two senders with pauses around the idle period, so that sends meet retirements in progress.
  constexpr int per_sender = 60;
  std::map<std::string, std::vector<uint64_t>> acked{{ann.user.id, {}}, {ben.user.id, {}}};
  std::vector<std::thread> senders;
  for (auto* sender : {&ann, &ben})
    senders.emplace_back([&, sender] {
      std::mt19937 random{std::random_device{}()};
      std::uniform_int_distribution<int> pause_ms{0, 30};
      auto& seqs = acked.at(sender->user.id);
      for (int i = 0; i < per_sender; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{pause_ms(random)});
        auto reply = sender->ws.call("im.send", {{"conversation_id", id},
                                                  {"client_id", sender->user.id + "-" + std::to_string(i)},
                                                  {"text", sender->user.username + ":" + std::to_string(i)}},
                                     std::chrono::seconds{30});
        if (!is_ws_ok(reply))
          throw std::runtime_error("send refused: " + reply.dump());
        seqs.push_back(reply["result"]["seq"].get<uint64_t>());
      }
    });
  for (auto& t : senders)
    t.join();

  // Every acknowledged send has its own seq, and together they are first+2 .. first+121 without gaps.
  std::set<uint64_t> all;
  for (const auto& [sender, seqs] : acked) {
    CHECK(std::is_sorted(seqs.begin(), seqs.end()));
    all.insert(seqs.begin(), seqs.end());
  }
  const uint64_t total = 2 + 2 * per_sender;
  REQUIRE(all.size() == 2 * per_sender);
  CHECK(*all.begin() == first + 2);
  CHECK(*all.rbegin() == total);

  // The live stream and the stored history are the same single order.
  std::vector<uint64_t> live;
  while (live.size() < total) {
    auto m = next_message(listener, id, std::chrono::seconds{30});
    live.push_back(m["seq"].get<uint64_t>());
  }
  for (size_t i = 0; i < live.size(); ++i)
    CHECK(live[i] == i + 1);
  const auto retired_before_history = retired_channels(server);
  auto history = whole_history(ann.ws, id);
  REQUIRE(history.size() == total);
  std::map<std::string, int> next_of;
  for (size_t i = 0; i < history.size(); ++i) {
    CHECK(history[i]["seq"] == i + 1);
    if (i < 2)
      continue;
    const std::string text = history[i]["text"];
    auto who = text.substr(0, text.find(':'));
    CHECK(std::stoi(text.substr(text.find(':') + 1)) == next_of[who]++);
  }

  // A retry after the conversation retired (again, after the reads above) is still recognised and stores nothing.
  const auto retry_deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (retired_channels(server) <= retired_before_history && std::chrono::steady_clock::now() < retry_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  REQUIRE(retired_channels(server) > retired_before_history);
  auto again = ok(ann.ws, "im.send", {{"conversation_id", id}, {"client_id", ann.user.id + "-0"}, {"text", "x"}});
  CHECK(again["duplicate"] == true);
  CHECK(again["seq"] == acked[ann.user.id].front());
  CHECK(whole_history(ben.ws, id).size() == total);
}
