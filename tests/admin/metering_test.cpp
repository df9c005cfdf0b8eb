// Metering: usage per organisation per day, unaffected meetings while it is down, exact catch-up.
#include <thread>

#include "tests/admin/admin_harness.hpp"

using namespace parley::test_support;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

json today_usage(const parleyd_process& server, const std::string& token) {
  auto response = admin_call(server, token, "GET", "/api/v1/admin/usage");
  INFO(response.describe());
  REQUIRE(response.status == 200);
  auto days = response.json()["days"];
  return days.empty() ? json{{"meetings", 0}, {"peak_concurrency", 0}, {"participant_seconds", 0}} : days.back();
}

/// Host and two members meet, then everyone leaves.
void hold_meeting(member& host, member& a, member& b) {
  auto meeting = create_meeting(host.ws);
  join(host.ws, meeting);
  join(a.ws, meeting);
  join(b.ws, meeting);
  auto seq = ok(a.ws, "chat.send", {{"text", "still working"}})["seq"];
  CHECK(wait_event(host.ws, "chat.message")["seq"] == seq);
  std::this_thread::sleep_for(1100ms); // some participant time to meter
  for (auto* m : {&b, &a, &host})
    ok(m->ws, "meeting.leave", json::object());
}

} // namespace

TEST_CASE("metering stopped during meetings catches up without double counting", "[admin][metering]") {
  parleyd_process server(admin_server_options({"--debug-hooks"}));
  auto token = admin_token(server);
  auto host = sign_in(server, "mhost");
  auto a = sign_in(server, "ma");
  auto b = sign_in(server, "mb");

  hold_meeting(host, a, b);
  // Leaves settle after the start: wait for the whole meeting to be folded.
  REQUIRE(eventually([&] {
    auto u = today_usage(server, token);
    return u["meetings"] == 1 && u["participant_seconds"].get<uint64_t>() >= 3;
  }));
  auto first = today_usage(server, token);
  CHECK(first["peak_concurrency"] == 3);
  CHECK(first["participant_seconds"].get<uint64_t>() >= 3);

  // Metering down: meetings go on as before; their events wait in the journal.
  auto stopped = admin_call(server, token, "POST", "/api/v1/admin/debug/metering", {{"action", "stop"}});
  INFO(stopped.describe());
  REQUIRE(stopped.status == 200);
  hold_meeting(host, a, b);
  hold_meeting(host, a, b);
  std::this_thread::sleep_for(3s); // longer than metering's settling time: it would have folded by now
  auto while_down = admin_call(server, token, "GET", "/api/v1/admin/usage").json();
  CHECK(while_down["days"].back()["meetings"] == 1);
  CHECK(while_down["pending_events"].get<uint64_t>() >= 16);

  // Back up: it folds exactly the missed events, once.
  REQUIRE(admin_call(server, token, "POST", "/api/v1/admin/debug/metering", {{"action", "start"}}).status == 200);
  REQUIRE(eventually([&] { return today_usage(server, token)["meetings"] == 3; }));
  std::this_thread::sleep_for(3s);
  auto caught_up = admin_call(server, token, "GET", "/api/v1/admin/usage").json();
  CHECK(caught_up["pending_events"] == 0);
  auto day = caught_up["days"].back();
  CHECK(day["meetings"] == 3);
  CHECK(day["peak_concurrency"] == 3);
  CHECK(day["participant_seconds"].get<uint64_t>() >= 9);

  // Killed (a crash): the supervisor restarts it and nothing is lost or counted twice.
  REQUIRE(admin_call(server, token, "POST", "/api/v1/admin/debug/metering", {{"action", "kill"}}).status == 200);
  hold_meeting(host, a, b);
  REQUIRE(eventually([&] { return today_usage(server, token)["meetings"] == 4; }));
  std::this_thread::sleep_for(3s);
  CHECK(today_usage(server, token)["meetings"] == 4);

  // The CSV report carries the same day.
  auto csv = admin_call(server, token, "GET", "/api/v1/admin/usage?format=csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.body.rfind("day,participant_minutes,participant_seconds,meetings,peak_concurrency\n", 0) == 0);
  CHECK(csv.body.find("," + std::to_string(4) + ",3\n") != std::string::npos);
  CHECK(has_error(admin_call(server, token, "GET", "/api/v1/admin/usage?from=yesterday"), "bad_request"));
}

TEST_CASE("metering debug hooks do not exist without --debug-hooks", "[admin][metering]") {
  parleyd_process server(admin_server_options());
  auto token = admin_token(server);
  CHECK(has_error(admin_call(server, token, "POST", "/api/v1/admin/debug/metering", {{"action", "stop"}}),
                  "not_found"));
}
