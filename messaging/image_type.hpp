// Recognises an image format by its leading bytes (never by a file name or a client's claim).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace parley::messaging {

/// "image/png", "image/jpeg", "image/gif" or "image/webp"; nullopt for anything else.
std::optional<std::string_view> sniff_image_type(std::span<const uint8_t> bytes) noexcept;

} // namespace parley::messaging
