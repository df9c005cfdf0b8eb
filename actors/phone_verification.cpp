// SMS verification of a phone number: a 6-digit one-time code (10 minutes, 5 tries, a new one
// at most every 30 s) sent through the configured provider off the scheduler threads.
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/password_hasher.hpp"
#include "actors/accounts_state.hpp"
#include "actors/security_audit.hpp"
#include "actors/service_error.hpp"
#include "actors/sms_provider.hpp"

namespace parley::actors {

namespace {

using nlohmann::json;
using protocol::error_code;
using sms_send_atom = caf::atom_constant<caf::atom("sms_send")>;

constexpr int64_t code_lifetime = 10 * 60;
constexpr int64_t resend_after = 30;
constexpr uint32_t max_failures = 5;
constexpr auto send_timeout = std::chrono::seconds{20};

bool is_e164(const std::string& phone) {
  if (phone.size() < 9 || phone.size() > 16 || phone[0] != '+' || phone[1] == '0')
    return false;
  for (size_t i = 1; i < phone.size(); ++i)
    if (phone[i] < '0' || phone[i] > '9')
      return false;
  return true;
}

std::string code_digest(const std::string& code, uint64_t user_id) {
  return accounts::token_digest(code + ":" + accounts::id_to_hex(user_id));
}

/// A one-shot detached actor: the provider may block on the network.
caf::behavior sms_sender(caf::event_based_actor* self, std::shared_ptr<sms_provider> provider) {
  return {[self, provider](sms_send_atom, const std::string& phone, const std::string& text) {
    auto error = provider->send(phone, text);
    self->quit();
    return error;
  }};
}

std::string masked(const std::string& phone) {
  return phone.substr(0, 3) + std::string(phone.size() - 5, '*') + phone.substr(phone.size() - 2);
}

caf::result<std::string> start(accounts_actor* self, accounts::user_record user, const json& body) {
  auto& st = self->state;
  if (!st.ctx->sms)
    return make_service_error(error_code::unavailable, "SMS verification is not configured on this server");
  auto it = body.find("phone");
  if (it == body.end() || !it->is_string() || !is_e164(it->get<std::string>()))
    return make_service_error(error_code::bad_request, "phone must be an E.164 number such as +15551234567");
  auto now = accounts::unix_now();
  if (user.phone_code_sent_at != 0 && now - user.phone_code_sent_at < resend_after)
    return make_retry_error("a code was sent moments ago; wait before asking for another",
                            resend_after - (now - user.phone_code_sent_at));
  accounts::initialize_crypto();
  auto number = std::to_string(randombytes_uniform(1000000));
  auto code = std::string(6 - number.size(), '0') + number;
  user.phone_pending = it->get<std::string>();
  user.phone_code_hash = code_digest(code, user.id);
  user.phone_code_expires = now + code_lifetime;
  user.phone_code_sent_at = now;
  user.phone_code_failures = 0;
  storage::write_set writes;
  accounts::account_repository::add_user(writes, user);
  auto rp = self->make_response_promise<std::string>();
  auto text = "Your Parley verification code is " + code + ". It expires in 10 minutes.";
  write_then(self, std::move(writes), [self, rp, phone = user.phone_pending, text, id = user.id](std::optional<caf::error> err) mutable {
    if (err) {
      rp.deliver(*err);
      return;
    }
    auto sender = self->spawn<caf::detached>(sms_sender, self->state.ctx->sms);
    self->request(sender, send_timeout, sms_send_atom::value, phone, text)
      .then(
        [self, rp, phone, id](const std::string& error) mutable {
          if (!error.empty()) {
            rp.deliver(make_service_error(error_code::unavailable, "the SMS could not be sent: " + error));
            return;
          }
          audit_security_event(self, "phone.code_sent", id, id, "");
          rp.deliver(json{{"sent_to", masked(phone)}, {"expires_in", code_lifetime}}.dump());
        },
        [rp](caf::error&) mutable {
          rp.deliver(make_service_error(error_code::unavailable, "the SMS gateway did not answer in time"));
        });
  });
  return rp;
}

caf::result<std::string> verify(accounts_actor* self, accounts::user_record user, const json& body) {
  auto it = body.find("code");
  if (it == body.end() || !it->is_string() || it->get<std::string>().size() > 16)
    return make_service_error(error_code::bad_request, "code (string) is required");
  auto now = accounts::unix_now();
  if (user.phone_code_hash.empty() || user.phone_code_expires <= now || user.phone_code_failures >= max_failures)
    return make_service_error(error_code::mfa_invalid, "no valid code is pending; ask for a new one");
  auto digest = code_digest(it->get<std::string>(), user.id);
  bool match = digest.size() == user.phone_code_hash.size()
               && sodium_memcmp(digest.data(), user.phone_code_hash.data(), digest.size()) == 0;
  storage::write_set writes;
  if (!match) {
    ++user.phone_code_failures;
    accounts::account_repository::add_user(writes, user);
    auto rp = self->make_response_promise<std::string>();
    write_then(self, std::move(writes), [rp](std::optional<caf::error>) mutable {
      rp.deliver(make_service_error(error_code::mfa_invalid, "the code is wrong"));
    });
    return rp;
  }
  user.phone = user.phone_pending;
  user.phone_verified = true;
  user.phone_pending.clear();
  user.phone_code_hash.clear();
  user.phone_code_expires = 0;
  user.phone_code_failures = 0;
  accounts::account_repository::add_user(writes, user);
  auto rp = self->make_response_promise<std::string>();
  write_then(self, std::move(writes), [self, rp, phone = user.phone, id = user.id](std::optional<caf::error> err) mutable {
    if (err) {
      rp.deliver(*err);
      return;
    }
    audit_security_event(self, "phone.verified", id, id, "");
    rp.deliver(json{{"phone", phone}, {"phone_verified", true}}.dump());
  });
  return rp;
}

} // namespace

caf::result<std::string> handle_phone_command(accounts_actor* self, account_command& cmd) {
  auto user = bearer_user(self->state, cmd.bearer);
  if (!user)
    return make_service_error(error_code::unauthenticated, "send Authorization: Bearer <token>");
  auto body = json::parse(cmd.body.empty() ? std::string{"{}"} : cmd.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return make_service_error(error_code::bad_request, "the body must be a JSON object");
  if (cmd.action == "phone.start")
    return start(self, std::move(*user), body);
  return verify(self, std::move(*user), body);
}

} // namespace parley::actors
