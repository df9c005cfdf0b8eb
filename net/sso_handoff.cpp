#include "net/sso_handoff.hpp"

#include <iterator>

#include "accounts/access_token.hpp"

namespace parley::net {

std::string sso_handoff::put(std::string answer, std::int64_t now) {
  std::lock_guard lock{mutex_};
  forget_expired(now);
  if (pending_.size() >= max_pending)
    return {};
  auto code = accounts::generate_token();
  pending_[accounts::token_digest(code)] = pending{std::move(answer), now + lifetime_seconds};
  return code;
}

std::optional<std::string> sso_handoff::take(const std::string& code, std::int64_t now) {
  std::lock_guard lock{mutex_};
  forget_expired(now);
  if (code.empty())
    return std::nullopt;
  auto it = pending_.find(accounts::token_digest(code));
  if (it == pending_.end())
    return std::nullopt;
  auto answer = std::move(it->second.answer);
  pending_.erase(it);
  return answer;
}

void sso_handoff::forget_expired(std::int64_t now) {
  for (auto it = pending_.begin(); it != pending_.end();)
    it = it->second.expires_at <= now ? pending_.erase(it) : std::next(it);
}

std::string cookie_value(const std::string& header, const std::string& name) {
  std::string_view rest{header};
  while (!rest.empty()) {
    auto semicolon = rest.find(';');
    auto item = rest.substr(0, semicolon);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    auto equals = item.find('=');
    if (equals != std::string_view::npos && item.substr(0, equals) == name)
      return std::string{item.substr(equals + 1)};
    if (semicolon == std::string_view::npos)
      break;
    rest.remove_prefix(semicolon + 1);
  }
  return {};
}

} // namespace parley::net
