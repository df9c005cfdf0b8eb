// Shared set-up for the meeting tests: a server with open registration, signed-in WSS clients, events.
#pragma once

#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "tests/support/https_client.hpp"
#include "tests/support/parleyd_process.hpp"
#include "tests/support/rest_api.hpp"
#include "tests/support/ws_client.hpp"

namespace parley::test_support {

inline parleyd_options meeting_server_options() {
  parleyd_options options;
  options.args = {"--registration=open"};
  return options;
}

/// A registered user with a connection that has said hello.
struct member {
  account user;
  std::string token;
  ws_client ws;
};

inline member sign_in(const parleyd_process& server, std::string_view prefix = "m") {
  https_client client(server.host(), server.port());
  auto user = register_account(client, unique_username(prefix));
  auto token = login_token(client, user.username);
  ws_client ws(server.host(), server.port());
  auto hello = ws.hello(token);
  INFO("auth.hello -> " << hello.dump());
  REQUIRE(is_ws_ok(hello));
  return member{std::move(user), std::move(token), std::move(ws)};
}

/// A new connection for an existing member.
inline ws_client reconnect(const parleyd_process& server, const std::string& token) {
  ws_client ws(server.host(), server.port());
  REQUIRE(is_ws_ok(ws.hello(token)));
  return ws;
}

/// Calls and requires ok; returns result.
inline nlohmann::json ok(ws_client& ws, std::string_view op, const nlohmann::json& args = nlohmann::json::object()) {
  auto response = ws.call(op, args);
  INFO(op << " " << args.dump() << " -> " << response.dump());
  REQUIRE(is_ws_ok(response));
  return response["result"];
}

/// Calls and requires the error code.
inline void refused(ws_client& ws, std::string_view op, const nlohmann::json& args, std::string_view code) {
  auto response = ws.call(op, args);
  INFO(op << " " << args.dump() << " -> " << response.dump());
  CHECK(is_ws_error(response, code));
}

/// Reads frames until event `name` arrives (skipping others); fails the test on timeout.
inline nlohmann::json wait_event(ws_client& ws, std::string_view name,
                                 std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      FAIL("no " << name << " event in time");
    auto frame = ws.next(left);
    if (frame.what != ws_frame::kind::message)
      FAIL("connection ended while waiting for " << name << ": " << frame.error);
    if (frame.value.contains("ev") && frame.value["ev"] == name)
      return frame.value["data"];
  }
}

/// Reads frames until event `name` arrives whose data satisfies `accept` (skipping others).
template <class Predicate>
nlohmann::json wait_event_where(ws_client& ws, std::string_view name, Predicate accept,
                                std::chrono::milliseconds timeout = std::chrono::seconds{20}) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string skipped; // what arrived instead, to explain a failure
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      FAIL("no matching " << name << " event in time; skipped: " << skipped);
    auto frame = ws.next(left);
    if (frame.what != ws_frame::kind::message)
      FAIL("connection ended while waiting for " << name << ": " << frame.error << "; skipped: " << skipped);
    if (frame.value.contains("ev") && frame.value["ev"] == name && accept(frame.value["data"]))
      return frame.value["data"];
    skipped += frame.value.dump() + "\n";
  }
}

/// Server options with a short reconnect grace period (ms).
inline parleyd_options grace_options(int grace_ms) {
  auto options = meeting_server_options();
  options.args.push_back("--meeting-reconnect-grace-ms=" + std::to_string(grace_ms));
  return options;
}

/// The participant with this id in a roster array (fails the test if absent).
inline nlohmann::json in_roster(const nlohmann::json& roster, const nlohmann::json& participant_id) {
  for (const auto& p : roster)
    if (p["participant_id"] == participant_id)
      return p;
  FAIL("participant " << participant_id << " is not in the roster " << roster.dump());
  return {};
}

/// Creates a meeting as `host`; returns its id.
inline std::string create_meeting(ws_client& host, const nlohmann::json& settings = nlohmann::json::object(),
                                  const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json args = {{"topic", "Weekly sync"}, {"settings", settings}};
  args.update(extra);
  auto result = ok(host, "meeting.create", args);
  return result["meeting_id"].get<std::string>();
}

inline nlohmann::json join(ws_client& ws, const std::string& meeting_id,
                           const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json args = {{"meeting_id", meeting_id}};
  args.update(extra);
  return ok(ws, "meeting.join", args);
}

} // namespace parley::test_support
