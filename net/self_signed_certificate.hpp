// A self-signed certificate for first start, so the server is TLS-only from the first minute.
#pragma once

#include <string>

namespace parley::net {

/// Writes an EC P-256 key (mode 0600) and a self-signed certificate for localhost and 127.0.0.1
/// to the given paths unless both exist already. Returns an error text or "".
std::string ensure_self_signed_certificate(const std::string& cert_path, const std::string& key_path);

} // namespace parley::net
