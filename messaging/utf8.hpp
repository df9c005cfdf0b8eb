// UTF-8 validation for text a person wrote (any Unicode, but well-formed).
#pragma once

#include <string_view>

namespace parley::messaging {

/// True for well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF.
bool is_valid_utf8(std::string_view text) noexcept;

} // namespace parley::messaging
