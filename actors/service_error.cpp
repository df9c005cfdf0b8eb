// Mapping between CAF errors and the client's error codes.
#include "actors/service_error.hpp"

#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace parley::actors {

caf::error make_service_error(protocol::error_code code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), error_category, caf::make_message(std::move(message))};
}

caf::error make_retry_error(std::string message, int64_t retry_after_seconds) {
  return caf::error{static_cast<uint8_t>(protocol::error_code::rate_limited), error_category,
                    caf::make_message(std::move(message), retry_after_seconds)};
}

caf::error make_service_error_after(protocol::error_code code, std::string message, int64_t retry_after_seconds) {
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(message), retry_after_seconds)};
}

client_error to_client_error(const caf::error& err) {
  using protocol::error_code;
  if (!err)
    return client_error{error_code::internal, "internal error", 0};
  if (err.category() == error_category) {
    if (err.code() < 1 || err.code() > static_cast<uint8_t>(protocol::last_error_code))
      return client_error{error_code::internal, "internal error", 0};
    client_error result{static_cast<error_code>(err.code()), {}, 0};
    const auto& context = err.context();
    if (context.match_elements<std::string>())
      result.message = context.get_as<std::string>(0);
    else if (context.match_elements<std::string, int64_t>()) {
      result.message = context.get_as<std::string>(0);
      result.retry_after = context.get_as<int64_t>(1);
    }
    return result;
  }
  if (err.category() == caf::atom("system")) {
    auto code = static_cast<caf::sec>(err.code());
    if (code == caf::sec::request_timeout || code == caf::sec::request_receiver_down
        || code == caf::sec::invalid_argument)
      return client_error{error_code::unavailable, "the service did not answer in time; try again"};
  }
  return client_error{error_code::internal, "internal error"};
}

} // namespace parley::actors
