// The server's TLS context: TLS 1.2+, AEAD suites only, AES-256-GCM first.
#pragma once

#include <string>

#include <boost/asio/ssl/context.hpp>

namespace parley::net {

/// Loads the certificate chain and key; on failure `error` says which file and why.
boost::asio::ssl::context make_server_tls_context(const std::string& cert_path, const std::string& key_path,
                                                  std::string& error);

} // namespace parley::net
