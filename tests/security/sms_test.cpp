// SMS verification through the `http` provider against a fake gateway on loopback, and meetings
// that admit only SMS-verified users.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <thread>

#include "tests/meetings/meeting_harness.hpp"
#include "tests/security/security_harness.hpp"

using namespace parley::test_support;

namespace {

/// A minimal HTTP/1.1 server on 127.0.0.1 that records each POST body and answers `status`.
class fake_sms_gateway {
public:
  explicit fake_sms_gateway(int status = 200) : status_(status) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener_, 16) == 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~fake_sms_gateway() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/send"; }

  /// The next recorded body, waiting up to 20 s.
  std::string next_body() {
    std::unique_lock lock{mutex_};
    REQUIRE(changed_.wait_for(lock, std::chrono::seconds{20}, [this] { return !bodies_.empty(); }));
    auto body = bodies_.front();
    bodies_.erase(bodies_.begin());
    return body;
  }

private:
  void serve() {
    while (!stop_) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0)
        return;
      std::string request;
      char buffer[4096];
      size_t body_start = std::string::npos, length = 0;
      for (;;) {
        auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0)
          break;
        request.append(buffer, static_cast<size_t>(n));
        if (body_start == std::string::npos && (body_start = request.find("\r\n\r\n")) != std::string::npos) {
          body_start += 4;
          std::smatch m;
          std::string headers = request.substr(0, body_start);
          if (std::regex_search(headers, m, std::regex{"[Cc]ontent-[Ll]ength: *([0-9]+)"}))
            length = std::stoul(m[1]);
        }
        if (body_start != std::string::npos && request.size() >= body_start + length)
          break;
      }
      if (body_start != std::string::npos) {
        std::lock_guard lock{mutex_};
        bodies_.push_back(request.substr(body_start, length));
        changed_.notify_all();
      }
      auto reply = "HTTP/1.1 " + std::to_string(status_) + " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(fd);
    }
  }

  int status_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> bodies_;
};

parleyd_options sms_server(const fake_sms_gateway& gateway) {
  return security_server({"--sms-provider=http", "--sms-gateway-url=" + gateway.url(),
                          R"(--sms-gateway-template={"to":"{phone}","message":"{text}","sender":"Parley"})"});
}

} // namespace

TEST_CASE("a phone number is verified with a code sent through the SMS gateway, a meeting can admit only verified users",
          "[security][sms]") {
  fake_sms_gateway gateway;
  parleyd_process server(sms_server(gateway));
  auto client = client_for(server);
  auto host = sign_in(server, "smshost");
  auto meeting = create_meeting(host.ws, {{"sms_verified_only", true}, {"join_before_host", true}});
  join(host.ws, meeting);

  auto guest = sign_in(server, "smsguest");
  refused(guest.ws, "meeting.join", {{"meeting_id", meeting}}, "verification_required");

  CHECK(has_error(client.post_json("/api/v1/auth/phone", {{"phone", "5551234"}}, {bearer(guest.token)}), "bad_request"));
  CHECK(has_error(client.post_json("/api/v1/auth/phone", {{"phone", "+15551234567"}}), "unauthenticated"));
  auto sent = client.post_json("/api/v1/auth/phone", {{"phone", "+15551234567"}}, {bearer(guest.token)});
  INFO(sent.describe());
  REQUIRE(sent.status == 200);
  CHECK(sent.json()["sent_to"] == "+15*******67");
  auto posted = nlohmann::json::parse(gateway.next_body());
  CHECK(posted["to"] == "+15551234567");
  CHECK(posted["sender"] == "Parley");
  std::smatch match;
  const auto message = posted["message"].get<std::string>();
  REQUIRE(std::regex_search(message, match, std::regex{"\\b([0-9]{6})\\b"}));
  const std::string code = match[1];
  CHECK(sent.body.find(code) == std::string::npos); // the code travels only by SMS

  // Asking again at once is refused (and sends nothing).
  auto again = client.post_json("/api/v1/auth/phone", {{"phone", "+15551234567"}}, {bearer(guest.token)});
  CHECK(has_error(again, "rate_limited"));

  const std::string wrong = code == "000000" ? "111111" : "000000";
  CHECK(has_error(client.post_json("/api/v1/auth/phone/verify", {{"code", wrong}}, {bearer(guest.token)}), "mfa_invalid"));
  auto verified = client.post_json("/api/v1/auth/phone/verify", {{"code", code}}, {bearer(guest.token)});
  INFO(verified.describe());
  REQUIRE(verified.status == 200);
  CHECK(verified.json()["phone_verified"] == true);
  // A used code cannot verify again.
  CHECK(has_error(client.post_json("/api/v1/auth/phone/verify", {{"code", code}}, {bearer(guest.token)}), "mfa_invalid"));

  auto joined = join(guest.ws, meeting);
  CHECK(joined["state"] == "joined");
  CHECK(joined["settings"]["sms_verified_only"] == true);
}

TEST_CASE("a failing SMS gateway is reported to the user", "[security][sms]") {
  fake_sms_gateway gateway{500};
  parleyd_process server(sms_server(gateway));
  auto user = sign_up(server, "smsfail");
  auto client = client_for(server);
  auto sent = client.post_json("/api/v1/auth/phone", {{"phone", "+447700900123"}}, {bearer(user.token)});
  INFO(sent.describe());
  CHECK(has_error(sent, "unavailable"));
  gateway.next_body();
}

TEST_CASE("without an SMS provider, phone verification says it is unavailable", "[security][sms]") {
  parleyd_process server(security_server());
  auto user = sign_up(server, "nosms");
  auto client = client_for(server);
  CHECK(has_error(client.post_json("/api/v1/auth/phone", {{"phone", "+15551234567"}}, {bearer(user.token)}), "unavailable"));
}
