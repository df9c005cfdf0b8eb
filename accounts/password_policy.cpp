// Password policy checks; lengths count UTF-8 code points, not bytes.
#include "accounts/password_policy.hpp"

namespace parley::accounts {

std::optional<std::string> password_policy::check(std::string_view password) const {
  size_t code_points = 0;
  bool lower = false, upper = false, digit = false, other = false;
  for (char ch : password) {
    auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80)
      ++code_points;
    if (c >= 'a' && c <= 'z')
      lower = true;
    else if (c >= 'A' && c <= 'Z')
      upper = true;
    else if (c >= '0' && c <= '9')
      digit = true;
    else
      other = true;
  }
  if (code_points < min_length)
    return "the password must have at least " + std::to_string(min_length) + " characters";
  if (code_points > max_length)
    return "the password must have at most " + std::to_string(max_length) + " characters";
  size_t classes = size_t{lower} + size_t{upper} + size_t{digit} + size_t{other};
  if (classes < min_classes)
    return "the password must mix at least " + std::to_string(min_classes)
           + " of: lower-case letters, upper-case letters, digits, symbols";
  return std::nullopt;
}

} // namespace parley::accounts
