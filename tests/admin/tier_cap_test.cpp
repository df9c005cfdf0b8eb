// Subscription tiers cap participants per meeting at join, whatever the meeting's own setting.
#include <memory>

#include "tests/admin/admin_harness.hpp"

using namespace parley::test_support;
using nlohmann::json;

TEST_CASE("the basic tier refuses the 101st participant, and upgrading to pro admits them", "[admin][tier]") {
  parleyd_process server(admin_server_options({"--ws-ops-per-second=1000", "--ws-ops-burst=1000"}));
  auto token = admin_token(server);
  auto host = sign_in(server, "host");
  // The meeting itself would allow 1000: the organisation's tier is what limits it.
  auto meeting = create_meeting(host.ws, {{"max_participants", 1000}});
  join(host.ws, meeting);
  https_client client(server.host(), server.port());
  auto guest = register_account(client, unique_username("crowd"));
  auto guest_token = login_token(client, guest.username);

  std::vector<std::unique_ptr<ws_client>> crowd;
  for (int i = 1; i < 100; ++i) {
    auto ws = std::make_unique<ws_client>(server.host(), server.port());
    REQUIRE(is_ws_ok(ws->hello(guest_token)));
    join(*ws, meeting);
    crowd.push_back(std::move(ws));
  }
  ws_client late(server.host(), server.port());
  REQUIRE(is_ws_ok(late.hello(guest_token)));
  auto refused_join = late.call("meeting.join", {{"meeting_id", meeting}});
  INFO(refused_join.dump());
  REQUIRE(is_ws_error(refused_join, "meeting_full"));
  CHECK(refused_join["error"]["message"].get<std::string>().find("basic tier") != std::string::npos);

  auto upgraded = admin_call(server, token, "PUT", "/api/v1/admin/organisation", {{"settings", {{"tier", "pro"}}}});
  REQUIRE(upgraded.status == 200);
  auto admitted = late.call("meeting.join", {{"meeting_id", meeting}});
  INFO(admitted.dump());
  CHECK(is_ws_ok(admitted));
}
