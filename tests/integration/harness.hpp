// Shared set-up for the integration tests: servers with given options and signed-in users.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/https_client.hpp"
#include "tests/support/parleyd_process.hpp"
#include "tests/support/rest_api.hpp"
#include "tests/support/ws_client.hpp"

namespace parley::test_support {

/// Options for a server that lets anyone register, plus `extra` options.
inline parleyd_options open_registration(std::vector<std::string> extra = {}) {
  parleyd_options options;
  options.args = {"--registration=open"};
  options.args.insert(options.args.end(), extra.begin(), extra.end());
  return options;
}

inline https_client client_for(const parleyd_process& server) {
  return https_client(server.host(), server.port());
}

struct signed_in_user {
  account user;
  std::string token;
};

/// Registers a fresh user and logs it in; the server must have open registration.
inline signed_in_user sign_up(const parleyd_process& server, std::string_view prefix = "user") {
  auto client = client_for(server);
  signed_in_user result;
  result.user = register_account(client, unique_username(prefix));
  result.token = login_token(client, result.user.username);
  return result;
}

/// A WSS connection that has already said hello with `token`.
inline ws_client hello_client(const parleyd_process& server, const std::string& token) {
  ws_client ws(server.host(), server.port());
  const auto response = ws.hello(token);
  INFO("auth.hello -> " << response.dump());
  REQUIRE(is_ws_ok(response));
  return ws;
}

} // namespace parley::test_support
