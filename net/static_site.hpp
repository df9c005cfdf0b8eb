// The web client's files, served at `/`: content types, cache headers, client-route fallback.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "net/rest_api.hpp"

namespace parley::net {

class static_site {
public:
  /// `root` is the built web client (web/dist); it may be missing, then every page is a 404
  /// that says how to build it.
  explicit static_site(std::string root);

  /// True for paths the REST API owns (`/api/...`, `/healthz`, `/metrics`, `/ws`).
  static bool is_api_path(std::string_view path);

  /// Answers a GET for `target`. Files under `/assets/` carry content hashes in their
  /// names and are cached for a year; everything else must be revalidated. A path without a
  /// file extension that names no file gets index.html (client-side routes such as `/j/ID`).
  /// Paths that are not clean (`..`, `.` segments, hidden files, NUL, backslashes, bad
  /// percent-encoding) never reach the file system.
  http_reply serve(std::string_view method, std::string_view target) const;

  const std::filesystem::path& root() const noexcept { return root_; }
  bool has_index() const;

private:
  http_reply file_reply(const std::filesystem::path& file, std::string_view request_path) const;

  std::filesystem::path root_;
};

/// The Content-Type for a file name, by extension; application/octet-stream when unknown.
std::string_view content_type_for(std::string_view file_name);

/// Percent-decodes a URL path; false on a bad escape or a decoded NUL.
bool percent_decode_path(std::string_view in, std::string& out);

} // namespace parley::net
