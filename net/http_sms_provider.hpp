// The `http` SMS provider: POSTs each message to a configured gateway URL (http or https) with a
// body made from a template, e.g. {"to":"{phone}","text":"{text}"}.
#pragma once

#include <memory>
#include <string>

#include "actors/sms_provider.hpp"

namespace parley::net {

struct sms_gateway_settings {
  std::string url;      // http://host:port/path or https://host[:port]/path
  std::string body_template = R"({"to":"{phone}","text":"{text}"})";
  std::string content_type = "application/json";
  std::string bearer;   // optional Authorization: Bearer credential of the gateway
  bool verify_tls = true;
};

/// Nullptr and `error` set if the URL cannot be used.
std::shared_ptr<actors::sms_provider> make_http_sms_provider(sms_gateway_settings settings, std::string& error);

} // namespace parley::net
