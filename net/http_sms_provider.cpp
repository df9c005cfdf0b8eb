// A synchronous Beast client per message (SMS volume is low); 10 s for the whole exchange.
#include "net/http_sms_provider.hpp"

#include <chrono>
#include <cstdio>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace parley::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct parsed_url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

bool parse_url(const std::string& url, parsed_url& out) {
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
    out.port = "80";
  } else if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
    out.tls = true;
    out.port = "443";
  } else {
    return false;
  }
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
  }
  out.host = authority;
  return !out.host.empty() && !out.port.empty();
}

std::string json_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
        out += buffer;
      } else {
        out.push_back(c);
      }
    }
  }
  return out;
}

std::string fill(std::string text, const std::string& name, const std::string& value) {
  for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + value.size()))
    text.replace(at, name.size(), value);
  return text;
}

class http_sms_provider final : public actors::sms_provider {
public:
  http_sms_provider(sms_gateway_settings settings, parsed_url url) : settings_(std::move(settings)), url_(std::move(url)) {}

  std::string send(const std::string& phone, const std::string& text) override {
    auto body = fill(fill(settings_.body_template, "{phone}", json_escape(phone)), "{text}", json_escape(text));
    http::request<http::string_body> request{http::verb::post, url_.target, 11};
    request.set(http::field::host, url_.host);
    request.set(http::field::content_type, settings_.content_type);
    request.set(http::field::user_agent, "parley");
    if (!settings_.bearer.empty())
      request.set(http::field::authorization, "Bearer " + settings_.bearer);
    request.body() = std::move(body);
    request.prepare_payload();
    try {
      asio::io_context io;
      tcp::resolver resolver{io};
      auto endpoints = resolver.resolve(url_.host, url_.port);
      beast::flat_buffer buffer;
      http::response<http::string_body> response;
      if (url_.tls) {
        asio::ssl::context ctx{asio::ssl::context::tls_client};
        ctx.set_default_verify_paths();
        ctx.set_verify_mode(settings_.verify_tls ? asio::ssl::verify_peer : asio::ssl::verify_none);
        beast::ssl_stream<beast::tcp_stream> stream{io, ctx};
        SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str());
        if (settings_.verify_tls)
          stream.set_verify_callback(asio::ssl::host_name_verification(url_.host));
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds{10});
        beast::get_lowest_layer(stream).connect(endpoints);
        stream.handshake(asio::ssl::stream_base::client);
        http::write(stream, request);
        http::read(stream, buffer, response);
      } else {
        beast::tcp_stream stream{io};
        stream.expires_after(std::chrono::seconds{10});
        stream.connect(endpoints);
        http::write(stream, request);
        http::read(stream, buffer, response);
      }
      if (response.result_int() < 200 || response.result_int() >= 300)
        return "the gateway answered HTTP " + std::to_string(response.result_int());
      return {};
    } catch (const std::exception& e) {
      return std::string{"the gateway is unreachable: "} + e.what();
    }
  }

private:
  sms_gateway_settings settings_;
  parsed_url url_;
};

} // namespace

std::shared_ptr<actors::sms_provider> make_http_sms_provider(sms_gateway_settings settings, std::string& error) {
  parsed_url url;
  if (!parse_url(settings.url, url)) {
    error = "--sms-gateway-url must be an http:// or https:// URL";
    return nullptr;
  }
  if (settings.body_template.find("{text}") == std::string::npos) {
    error = "--sms-gateway-template must contain {text}";
    return nullptr;
  }
  return std::make_shared<http_sms_provider>(std::move(settings), std::move(url));
}

} // namespace parley::net
