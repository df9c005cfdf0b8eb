// Durability: a registration the server acknowledged survives SIGKILL at any moment.
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.hpp"

using namespace parley::test_support;

TEST_CASE("every registration acknowledged before a SIGKILL can log in after a restart", "[durability]") {
  parleyd_process server(open_registration());
  const auto seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);

  constexpr int writers = 6;
  std::mutex mutex;
  std::vector<account> acknowledged; // guarded by mutex
  std::vector<std::string> surprises; // guarded by mutex
  std::atomic<bool> killing{false};
  std::atomic<int> acknowledged_count{0};

  std::vector<std::thread> threads;
  for (int writer = 0; writer < writers; ++writer) {
    threads.emplace_back([&, writer] {
      https_client client(server.host(), server.port(), std::chrono::seconds{10});
      for (int i = 0;; ++i) {
        const std::string username = "w" + std::to_string(writer) + "." + std::to_string(i);
        try {
          const auto response = client.post_json(
            "/api/v1/auth/register",
            {{"username", username}, {"password", strong_password}, {"display_name", username}});
          if (response.status == 201) {
            const auto user = response.json()["user"];
            std::lock_guard lock(mutex);
            acknowledged.push_back({user["id"].is_string() ? user["id"].get<std::string>() : user["id"].dump(),
                                    username, username, std::string(strong_password)});
            ++acknowledged_count;
          } else if (!killing) {
            std::lock_guard lock(mutex);
            surprises.push_back(username + ": " + response.describe());
          }
        } catch (const std::exception& e) {
          if (!killing) {
            std::lock_guard lock(mutex);
            surprises.push_back(username + ": " + e.what());
          }
          if (killing)
            return; // the server is gone
          std::this_thread::sleep_for(std::chrono::milliseconds{10});
        }
      }
    });
  }

  // Let some registrations through, then kill at a random moment amid the stream.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{60};
  while (acknowledged_count < 20 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  std::this_thread::sleep_for(std::chrono::milliseconds{std::uniform_int_distribution<int>(0, 1500)(rng)});
  killing = true;
  server.kill();
  for (auto& thread : threads)
    thread.join();

  std::string surprise_text;
  for (std::size_t i = 0; i < surprises.size() && i < 10; ++i)
    surprise_text += surprises[i] + "\n";
  INFO(surprises.size() << " failures before the kill:\n" << surprise_text);
  CHECK(surprises.empty());
  INFO(acknowledged.size() << " registrations acknowledged before the kill");
  REQUIRE(acknowledged.size() >= 20);

  server.restart();
  auto client = client_for(server);
  std::vector<std::string> lost;
  for (const auto& user : acknowledged) {
    const auto response =
      client.post_json("/api/v1/auth/login", {{"username", user.username}, {"password", user.password}});
    const auto body = response.json();
    const bool same_user = response.status == 200 && body.is_object() && body.contains("user") &&
                           (body["user"]["id"].is_string() ? body["user"]["id"].get<std::string>()
                                                           : body["user"]["id"].dump()) == user.id;
    if (!same_user)
      lost.push_back(user.username + " -> " + response.describe());
  }
  std::string lost_text;
  for (std::size_t i = 0; i < lost.size() && i < 10; ++i)
    lost_text += lost[i] + "\n";
  INFO(lost.size() << " acknowledged registrations lost:\n" << lost_text);
  CHECK(lost.empty());
}
