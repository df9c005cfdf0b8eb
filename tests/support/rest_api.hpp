// Shortcuts for the account REST API and the error shape, shared by the integration tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tests/support/https_client.hpp"

namespace parley::test_support {

/// Satisfies the default password policy: 16 characters, all four character classes.
inline constexpr std::string_view strong_password = "Parley-Test-2024!";

struct account {
  std::string id;
  std::string username;
  std::string display_name;
  std::string password;
};

/// A username unique within this test process: `prefix` plus a counter (3–32 of [a-z0-9._-]).
std::string unique_username(std::string_view prefix = "user");

/// POST /api/v1/auth/register; throws std::runtime_error unless the answer is 201.
account register_account(https_client& client, const std::string& username,
                         std::string_view password = strong_password);
/// POST /api/v1/auth/login; returns the token, throws std::runtime_error unless the answer is 200.
std::string login_token(https_client& client, const std::string& username, std::string_view password = strong_password);

/// True if the body is exactly `{"error":{"code":code,"message":<string>}}`.
bool has_error(const http_response& response, std::string_view code);

/// Sums the samples of one metric in Prometheus text (all label sets), keeping only the
/// samples whose label text contains `label_filter`; nullopt if no such sample exists.
std::optional<double> metric_sum(const std::string& exposition, std::string_view name, std::string_view label_filter = {});

} // namespace parley::test_support
