// Where SMS verification codes go: a provider interface with a development `log` provider here
// and an `http` gateway provider at the edge (net/http_sms_provider).
#pragma once

#include <memory>
#include <string>

namespace parley::actors {

class sms_provider {
public:
  virtual ~sms_provider() = default;
  /// Sends `text` to `phone` (E.164). Blocks; call it off the scheduler threads. Returns "" on
  /// success, else what went wrong (without the text: it holds a secret).
  virtual std::string send(const std::string& phone, const std::string& text) = 0;
};

/// Development only: writes the message, code included, to the `sms` logger. The one place a
/// secret may reach a log, and only when an operator chose `--sms-provider=log`.
std::shared_ptr<sms_provider> make_log_sms_provider();

} // namespace parley::actors
