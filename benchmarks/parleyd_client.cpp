// parleyd's command line for benchmarks, account sign-up over REST, and msgpack request/response frames.
#include "benchmarks/parleyd_client.hpp"

#include <unistd.h>

#include <atomic>

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

namespace parley::bench {

constexpr const char* admin_password = "Bench-Admin-2024!";

std::unique_ptr<child_process> start_parleyd(const std::string& binary, const std::string& data_dir,
                                             std::string& error, const std::vector<std::string>& extra_options) {
  std::vector<std::string> argv{binary,
                                "--port=0",
                                "--bind=127.0.0.1",
                                "--data-dir=" + data_dir,
                                "--registration=open",
                                "--argon2-ops=1",
                                "--argon2-mem-kib=8192",
                                "--ws-ops-per-second=1000000",
                                "--ws-ops-burst=1000000",
                                "--max-connections=30000"};
  argv.insert(argv.end(), extra_options.begin(), extra_options.end());
  return child_process::start(argv, {std::string{"PARLEY_ADMIN_PASSWORD="} + admin_password}, data_dir + "/parleyd.log",
                              std::chrono::seconds{60}, error);
}

bool set_organisation_tier(const std::string& host, uint16_t port, const std::string& tier, std::string& error) {
  nlohmann::json login{{"username", "admin"}, {"password", admin_password}};
  auto logged_in = https_post(host, port, "/api/v1/auth/login", login.dump());
  auto body = nlohmann::json::parse(logged_in.body, nullptr, false);
  if (logged_in.status != 200 || body.is_discarded() || !body.contains("token") || !body["token"].is_string()) {
    error = "admin login: HTTP " + std::to_string(logged_in.status) + " " + logged_in.body + logged_in.error;
    return false;
  }
  nlohmann::json change{{"settings", {{"tier", tier}}}};
  auto changed = https_request(host, port, "PUT", "/api/v1/admin/organisation", change.dump(),
                               body["token"].get<std::string>());
  if (changed.status != 200) {
    error = "set tier: HTTP " + std::to_string(changed.status) + " " + changed.body + changed.error;
    return false;
  }
  return true;
}

signed_in_user sign_up_user(const std::string& host, uint16_t port, std::string& error) {
  static std::atomic<unsigned> accounts_made{0};  // one process may sign up several users
  signed_in_user user;
  user.username = "bench-" + std::to_string(getpid()) + "-" + std::to_string(time(nullptr) % 100000) + "-" +
                  std::to_string(accounts_made++);
  const std::string password = "Bench-Pass-2024!";
  nlohmann::json account{{"username", user.username}, {"password", password}, {"display_name", "Benchmark"}};
  auto registered = https_post(host, port, "/api/v1/auth/register", account.dump());
  if (registered.status != 201) {
    error = "register: " + (registered.error.empty() ? "HTTP " + std::to_string(registered.status) + " " + registered.body
                                                      : registered.error);
    return user;
  }
  nlohmann::json login{{"username", user.username}, {"password", password}};
  auto logged_in = https_post(host, port, "/api/v1/auth/login", login.dump());
  auto body = nlohmann::json::parse(logged_in.body, nullptr, false);
  if (logged_in.status != 200 || body.is_discarded() || !body.contains("token") || !body["token"].is_string() ||
      !body.contains("user") || !body["user"].contains("id") || !body["user"]["id"].is_string()) {
    error = "login: " + (logged_in.error.empty() ? "HTTP " + std::to_string(logged_in.status) + " " + logged_in.body
                                                 : logged_in.error);
    return user;
  }
  user.id = body["user"]["id"].get<std::string>();
  user.token = body["token"].get<std::string>();
  return user;
}

std::string sign_up_and_log_in(const std::string& host, uint16_t port, std::string& error) {
  return sign_up_user(host, port, error).token;
}

frame request_frame(std::string_view op, uint64_t id, const std::vector<std::pair<std::string, std::string>>& args) {
  msgpack::sbuffer buffer;
  msgpack::packer pk(buffer);
  pk.pack_map(3);
  pk.pack("op");
  pk.pack(op);
  pk.pack("id");
  pk.pack(id);
  pk.pack("args");
  pk.pack_map(static_cast<uint32_t>(args.size()));
  for (const auto& [name, value] : args) {
    pk.pack(name);
    pk.pack(value);
  }
  return frame(buffer.data(), buffer.data() + buffer.size());
}

bool is_ok_reply(const frame& reply) {
  if (reply.empty())
    return false;
  try {
    auto handle = msgpack::unpack(reinterpret_cast<const char*>(reply.data()), reply.size());
    const auto& root = handle.get();
    if (root.type != msgpack::type::MAP)
      return false;
    bool has_re = false;
    bool ok = false;
    for (uint32_t i = 0; i < root.via.map.size; ++i) {
      const auto& kv = root.via.map.ptr[i];
      if (kv.key.type != msgpack::type::STR)
        continue;
      std::string_view key{kv.key.via.str.ptr, kv.key.via.str.size};
      if (key == "re")
        has_re = true;
      else if (key == "ok")
        ok = kv.val.type == msgpack::type::BOOLEAN && kv.val.via.boolean;
    }
    return has_re && ok;
  } catch (const std::exception&) {
    return false;
  }
}

std::string text_of(const msgpack::object* o) {
  return o && o->type == msgpack::type::STR ? std::string{o->via.str.ptr, o->via.str.size} : std::string{};
}

} // namespace parley::bench
