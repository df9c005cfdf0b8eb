// Validates ICE connectivity checks, answers them and keeps the selected pair and consent.
#include "media/ice_lite_agent.hpp"

#include <openssl/rand.h>

#include <array>
#include <utility>

namespace parley::media {

std::string random_ice_string(size_t length) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static_assert(sizeof alphabet - 1 == 64);
  std::string out(length, 'A');
  std::array<uint8_t, 64> random{};
  for (size_t at = 0; at < length;) {
    // 64 symbols: taking 6 bits of each byte keeps the distribution uniform.
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) return {};
    for (size_t i = 0; i < random.size() && at < length; ++i) out[at++] = alphabet[random[i] & 0x3F];
  }
  return out;
}

ice_lite_agent::ice_lite_agent() : ice_lite_agent(random_ice_string(8), random_ice_string(24)) {}

ice_lite_agent::ice_lite_agent(std::string local_ufrag, std::string local_password)
    : local_ufrag_(std::move(local_ufrag)), local_password_(std::move(local_password)) {}

bool ice_lite_agent::username_matches(std::string_view username) const noexcept {
  // RFC 8445 §7.2.2: the request's USERNAME is "<receiver ufrag>:<sender ufrag>".
  if (username.size() <= local_ufrag_.size() || username.substr(0, local_ufrag_.size()) != local_ufrag_ ||
      username[local_ufrag_.size()] != ':')
    return false;
  const auto remote = username.substr(local_ufrag_.size() + 1);
  if (remote.empty()) return false;
  return remote_ufrag_.empty() || remote == remote_ufrag_;
}

ice_check_outcome ice_lite_agent::handle(const stun_message& request, const stun_address& source,
                                         clock::time_point now, std::span<uint8_t> response) noexcept {
  ice_check_outcome out;
  if (request.method() != stun_method::binding || request.message_class() != stun_class::request) {
    out.result = ice_check_result::not_request;
    return out;
  }
  // Cheapest checks first: CRC, then string compare, then HMAC. Failures get no answer
  // (not even a 401): a silent drop gives an off-path prober nothing to learn from.
  if (!request.has_fingerprint() || !request.verify_fingerprint()) {
    out.result = ice_check_result::bad_fingerprint;
    return out;
  }
  const auto username = request.username();
  if (!username || !username_matches(*username)) {
    out.result = ice_check_result::bad_username;
    return out;
  }
  const std::span<const uint8_t> key{reinterpret_cast<const uint8_t*>(local_password_.data()),
                                     local_password_.size()};
  if (!request.verify_message_integrity(key)) {
    out.result = ice_check_result::bad_integrity;
    return out;
  }
  const auto size = write_binding_success(response, request.transaction_id(), source, key);
  if (!size) {
    out.result = ice_check_result::no_room;
    return out;
  }
  out.result = ice_check_result::answered;
  out.response_size = *size;

  // A lite agent is always controlled: the controlling peer's USE-CANDIDATE nominates.
  // Until the first nomination, follow the latest valid check so DTLS can start early.
  const bool nominate = request.use_candidate();
  if (nominate || !nominated_) {
    out.selected_changed = !selected_ || *selected_ != source;
    selected_ = source;
    nominated_ = nominated_ || nominate;
  }
  // Consent is per pair (RFC 7675): checks on a pair we do not use keep nothing alive.
  if (selected_ && *selected_ == source) last_consent_ = now;
  return out;
}

bool ice_lite_agent::consent_expired(clock::time_point now) const noexcept {
  return last_consent_ && now - *last_consent_ >= consent_timeout;
}

}  // namespace parley::media
