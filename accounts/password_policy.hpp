// Which passwords an account may have: a minimum length and a number of character classes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::accounts {

struct password_policy {
  size_t min_length = 10;
  size_t min_classes = 3; // of: lower case, upper case, digit, symbol or other
  size_t max_length = 256;

  /// Nullopt if `password` is acceptable, otherwise a sentence telling the user what to change.
  std::optional<std::string> check(std::string_view password) const;
};

} // namespace parley::accounts
