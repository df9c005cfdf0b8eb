// The web client's files served by parleyd at `/`: types, caching, client routes, and no way out of the root.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/harness.hpp"

using namespace parley::test_support;
namespace fs = std::filesystem;

namespace {

/// A folder shaped like a Vite build (index.html, hashed assets) with a secret file beside it.
struct web_folder {
  web_folder() {
    // One folder per process: CTest runs the cases of this file in parallel processes.
    base = fs::temp_directory_path() / ("parley-web-" + std::to_string(::getpid()) + "-" + unique_username("root"));
    root = base / "dist";
    fs::create_directories(root / "assets");
    write(root / "index.html", "<!doctype html><title>Parley</title><div id=app></div>");
    write(root / "assets" / "index-abc123.js", "console.log('parley');");
    write(root / "assets" / "index-abc123.css", "body{margin:0}");
    write(root / "favicon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
    write(root / ".env", "hidden");
    write(base / "secret.txt", "outside the root");
    fs::create_symlink(base / "secret.txt", root / "link.txt");
  }
  ~web_folder() {
    std::error_code ignored;
    fs::remove_all(base, ignored);
  }
  static void write(const fs::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
  }
  fs::path base;
  fs::path root;
};

parleyd_options serving(const std::string& web_root) {
  parleyd_options options;
  options.args = {"--web-root=" + web_root};
  return options;
}

} // namespace

TEST_CASE("the web client is served at / with types, caching and client routes", "[http][web]") {
  web_folder web;
  parleyd_process server(serving(web.root.string()));
  auto client = client_for(server);

  const auto index = client.get("/");
  INFO(index.describe());
  REQUIRE(index.status == 200);
  CHECK(index.header("content-type") == "text/html; charset=utf-8");
  CHECK(index.header("cache-control") == "no-cache");
  CHECK(index.header("content-security-policy").find("default-src 'self'") != std::string::npos);
  CHECK(index.body.find("<div id=app>") != std::string::npos);

  const auto script = client.get("/assets/index-abc123.js");
  REQUIRE(script.status == 200);
  CHECK(script.header("content-type") == "text/javascript; charset=utf-8");
  CHECK(script.header("cache-control").find("immutable") != std::string::npos);
  CHECK(script.body == "console.log('parley');");

  const auto style = client.get("/assets/index-abc123.css?v=1");
  REQUIRE(style.status == 200);
  CHECK(style.header("content-type") == "text/css; charset=utf-8");

  CHECK(client.get("/favicon.svg").header("content-type") == "image/svg+xml");

  SECTION("a client route without a file gets index.html so links like /j/ID open the app") {
    for (const char* route : {"/j/12345678901", "/home", "/meeting/12345678901?pwd=x"}) {
      const auto page = client.get(route);
      INFO(route << " -> " << page.describe());
      CHECK(page.status == 200);
      CHECK(page.header("content-type") == "text/html; charset=utf-8");
      CHECK(page.body.find("<div id=app>") != std::string::npos);
    }
  }

  SECTION("a missing file is a 404, not the app") {
    const auto missing = client.get("/assets/gone-123.js");
    CHECK(missing.status == 404);
    CHECK(missing.json()["error"]["code"] == "not_found");
  }

  SECTION("the REST routes still win over the files") {
    CHECK(client.get("/healthz").json()["status"] == "ok");
    CHECK(client.get("/api/v1/nothing").status == 404);
  }

  SECTION("only GET reads pages") {
    const auto post = client.request("POST", "/index.html", "{}");
    CHECK(post.status == 405);
    CHECK(post.header("allow") == "GET");
  }
}

TEST_CASE("no request reads a file outside the web root or a hidden one", "[http][web][security]") {
  web_folder web;
  parleyd_process server(serving(web.root.string()));
  auto client = client_for(server);

  for (const char* target : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
                             "/assets/%2e%2e%2f%2e%2e%2fsecret.txt", "/..%5csecret.txt", "/.env", "/link.txt",
                             "/%00.js", "/assets/%zz.js"}) {
    const auto response = client.get(target);
    INFO(target << " -> " << response.describe());
    CHECK(response.body.find("outside the root") == std::string::npos);
    CHECK(response.body.find("hidden") == std::string::npos);
    CHECK((response.status == 404 || response.status == 400));
  }
}

TEST_CASE("without a built web client the page says how to build it", "[http][web]") {
  parleyd_process server(serving("/nonexistent/parley-web"));
  auto client = client_for(server);
  const auto page = client.get("/");
  INFO(page.describe());
  CHECK(page.status == 404);
  CHECK(page.json()["error"]["message"].get<std::string>().find("build-web.sh") != std::string::npos);
  CHECK(client.get("/healthz").status == 200);
}
