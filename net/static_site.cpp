// Static files for the browser client, read per request (the bundle is small and the OS caches it).
#include "net/static_site.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace parley::net {

namespace {

using protocol::error_code;

// A file bigger than this is not part of a web client; refusing it keeps memory bounded.
constexpr std::uintmax_t max_file_size = 32 * 1024 * 1024;

constexpr std::string_view immutable_cache = "public, max-age=31536000, immutable";
constexpr std::string_view revalidate_cache = "no-cache";

// The page needs its own origin for scripts, styles and the WebSocket; media are blob: URLs.
constexpr std::string_view page_policy =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
  "media-src 'self' blob: mediastream:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
  "form-action 'self'";

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool has_extension(std::string_view segment) {
  return segment.find('.') != std::string_view::npos;
}

/// Splits a decoded absolute path into segments; false if any is unsafe to hand to the file system.
bool clean_segments(std::string_view path, std::string& relative, std::string& last) {
  relative.clear();
  last.clear();
  if (path.empty() || path.front() != '/')
    return false;
  size_t pos = 1;
  while (pos <= path.size()) {
    auto next = path.find('/', pos);
    if (next == std::string_view::npos)
      next = path.size();
    auto segment = path.substr(pos, next - pos);
    pos = next + 1;
    if (segment.empty())
      continue;
    if (segment.front() == '.' || segment.find('\\') != std::string_view::npos)
      return false;
    if (!relative.empty())
      relative += '/';
    relative += segment;
    last = std::string{segment};
  }
  return true;
}

http_reply not_found(std::string_view path) {
  return error_reply(error_code::not_found, "no such page: " + std::string{path});
}

} // namespace

std::string_view content_type_for(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 19> types{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
    {".ics", "text/calendar; charset=utf-8"},
  }};
  auto dot = file_name.rfind('.');
  if (dot != std::string_view::npos) {
    auto extension = file_name.substr(dot);
    for (const auto& [known, type] : types)
      if (extension == known)
        return type;
  }
  return "application/octet-stream";
}

bool percent_decode_path(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size())
        return false;
      int high = hex_value(in[i + 1]);
      int low = hex_value(in[i + 2]);
      if (high < 0 || low < 0)
        return false;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (c == '\0')
      return false;
    out += c;
  }
  return true;
}

static_site::static_site(std::string root) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(std::filesystem::path{root}, ec);
  root_ = ec ? std::filesystem::path{root} : canonical;
}

bool static_site::is_api_path(std::string_view path) {
  return path.rfind("/api/", 0) == 0 || path == "/api" || path == "/healthz" || path == "/metrics" || path == "/ws";
}

bool static_site::has_index() const {
  std::error_code ec;
  return std::filesystem::is_regular_file(root_ / "index.html", ec);
}

http_reply static_site::serve(std::string_view method, std::string_view target) const {
  if (method != "GET") {
    auto reply = error_reply(error_code::method_not_allowed, "pages are read with GET");
    reply.headers.emplace_back("Allow", "GET");
    return reply;
  }
  auto raw_path = target.substr(0, target.find_first_of("?#"));
  std::string path;
  if (!percent_decode_path(raw_path, path))
    return error_reply(error_code::bad_request, "the path has a bad percent-encoding");
  std::string relative;
  std::string last;
  if (!clean_segments(path, relative, last))
    return not_found(raw_path);
  if (!has_index())
    return error_reply(error_code::not_found,
                       "the web client is not built here: run scripts/build-web.sh or pass --web-root");

  std::error_code ec;
  if (!relative.empty()) {
    auto candidate = std::filesystem::weakly_canonical(root_ / relative, ec);
    // Symbolic links inside the root may not lead out of it.
    auto inside = !ec && candidate.native().rfind(root_.native() + "/", 0) == 0;
    if (inside && std::filesystem::is_regular_file(candidate, ec))
      return file_reply(candidate, path);
    if (has_extension(last))
      return not_found(raw_path);
  }
  return file_reply(root_ / "index.html", "/index.html");
}

http_reply static_site::file_reply(const std::filesystem::path& file, std::string_view request_path) const {
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (ec || size > max_file_size)
    return not_found(request_path);
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return not_found(request_path);
  std::ostringstream content;
  content << in.rdbuf();

  http_reply reply;
  reply.content_type = std::string{content_type_for(file.filename().native())};
  reply.body = std::move(content).str();
  const bool hashed = request_path.rfind("/assets/", 0) == 0;
  reply.headers.emplace_back("Cache-Control", std::string{hashed ? immutable_cache : revalidate_cache});
  if (reply.content_type.rfind("text/html", 0) == 0) {
    reply.headers.emplace_back("Content-Security-Policy", std::string{page_policy});
    reply.headers.emplace_back("Referrer-Policy", "no-referrer");
    // Camera, microphone and screen capture for this origin only.
    reply.headers.emplace_back("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)");
  }
  return reply;
}

} // namespace parley::net
