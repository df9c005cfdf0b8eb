// Shortcuts for the account REST API and the error shape, shared by the integration tests.
#include "tests/support/rest_api.hpp"

#include <atomic>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace parley::test_support {

std::string unique_username(std::string_view prefix) {
  static std::atomic<unsigned> counter{0};
  return std::string(prefix) + "." + std::to_string(++counter);
}

account register_account(https_client& client, const std::string& username, std::string_view password) {
  const std::string display_name = "User " + username;
  const auto response = client.post_json(
    "/api/v1/auth/register", {{"username", username}, {"password", password}, {"display_name", display_name}});
  const auto body = response.json();
  if (response.status != 201 || !body.is_object() || !body.contains("user") || !body["user"].contains("id"))
    throw std::runtime_error("register " + username + " failed: " + response.describe());
  const auto& user = body["user"];
  return {user["id"].is_string() ? user["id"].get<std::string>() : user["id"].dump(),
          user.value("username", std::string()), user.value("display_name", std::string()), std::string(password)};
}

std::string login_token(https_client& client, const std::string& username, std::string_view password) {
  const auto response = client.post_json("/api/v1/auth/login", {{"username", username}, {"password", password}});
  const auto body = response.json();
  if (response.status != 200 || !body.is_object() || !body.contains("token") || !body["token"].is_string())
    throw std::runtime_error("login " + username + " failed: " + response.describe());
  return body["token"].get<std::string>();
}

bool has_error(const http_response& response, std::string_view code) {
  const auto body = response.json();
  if (!body.is_object() || body.size() != 1 || !body.contains("error") || !body["error"].is_object())
    return false;
  const auto& error = body["error"];
  return error.contains("code") && error["code"] == code && error.contains("message") && error["message"].is_string();
}

std::optional<double> metric_sum(const std::string& exposition, std::string_view name, std::string_view label_filter) {
  std::istringstream lines(exposition);
  std::string line;
  std::optional<double> sum;
  while (std::getline(lines, line)) {
    if (line.empty() || line.front() == '#' || !line.starts_with(name))
      continue;
    std::string_view rest = std::string_view(line).substr(name.size());
    std::string_view labels;
    if (!rest.empty() && rest.front() == '{') {
      const auto close = rest.find('}');
      if (close == std::string_view::npos)
        continue;
      labels = rest.substr(0, close + 1);
      rest.remove_prefix(close + 1);
    }
    if (rest.empty() || rest.front() != ' ')
      continue; // a longer metric name that merely starts with `name`
    if (!label_filter.empty() && labels.find(label_filter) == std::string_view::npos)
      continue;
    const std::string value(rest.substr(1, rest.find(' ', 1) == std::string_view::npos ? std::string_view::npos
                                                                                         : rest.find(' ', 1) - 1));
    char* end = nullptr;
    const double parsed = std::strtod(value.c_str(), &end);
    if (end == value.c_str())
      continue;
    sum = sum.value_or(0.0) + parsed;
  }
  return sum;
}

} // namespace parley::test_support
