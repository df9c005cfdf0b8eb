// A QR code (libqrencode) of a text, as a PNG image an authenticator app can scan from a screen.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::accounts {

/// 8-bit greyscale PNG, `scale` pixels per module, 4-module quiet zone. Nullopt if the text
/// does not fit a QR code.
std::optional<std::string> qr_png(std::string_view text, unsigned scale = 4);

} // namespace parley::accounts
