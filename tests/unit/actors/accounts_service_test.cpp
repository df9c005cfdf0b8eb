// The accounts service: registration rules, sign-in, token expiry and revocation, closed registration.
#include <thread>
#include <variant>

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "actors/accounts_messages.hpp"
#include "actors/service_error.hpp"
#include "actors/supervisor.hpp"
#include "actors/type_registry.hpp"
#include "storage/database.hpp"
#include "telemetry/node_metrics.hpp"
#include "temp_dir.hpp"

using namespace parley;
using protocol::error_code;

namespace {

struct test_config : caf::actor_system_config {
  test_config() { actors::register_message_types(*this); }
};

struct fixture {
  test::temp_dir dir;
  telemetry::metrics_registry registry;
  telemetry::node_metrics metrics{registry};
  std::shared_ptr<storage::database> db;
  test_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor supervisor;

  explicit fixture(bool registration_open = true, int64_t token_ttl = 3600) {
    std::string error;
    db = storage::database::open(dir.path(), error);
    REQUIRE(db);
    auto ctx = std::make_shared<actors::node_context>();
    ctx->node_id = "test";
    ctx->db = db;
    ctx->metrics = &metrics;
    ctx->accounts.registration_open = registration_open;
    ctx->accounts.token_ttl = token_ttl;
    ctx->accounts.cost = accounts::argon2_cost{1, 8 * 1024};
    sys = std::make_unique<caf::actor_system>(cfg);
    supervisor = actors::spawn_supervisor(*sys, ctx);
    for (int i = 0; i < 500 && !actors::lookup_service(*sys, actors::accounts_service_name); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  ~fixture() {
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
    sys.reset();
  }

  caf::actor accounts() { return actors::lookup_service(*sys, actors::accounts_service_name); }

  template <class Result, class... Ts>
  std::variant<Result, actors::client_error> ask(Ts... xs) {
    caf::scoped_actor self{*sys};
    std::variant<Result, actors::client_error> out = actors::client_error{error_code::internal, "no reply"};
    self->request(accounts(), std::chrono::seconds{30}, xs...)
      .receive([&](Result& r) { out = std::move(r); },
               [&](caf::error& e) { out = actors::to_client_error(e); });
    return out;
  }
};

template <class T>
error_code code_of(const T& v) {
  REQUIRE(std::holds_alternative<actors::client_error>(v));
  return std::get<actors::client_error>(v).code;
}

} // namespace

TEST_CASE("register then sign in and out", "[actors][accounts]") {
  fixture f;
  auto registered = f.ask<accounts::user_profile>(actors::register_atom::value,
                                                  actors::registration{"Alice", "Correct-horse-9", "Alice A."});
  REQUIRE(std::holds_alternative<accounts::user_profile>(registered));
  CHECK(std::get<accounts::user_profile>(registered).display_name == "Alice A.");

  SECTION("usernames are unique regardless of case") {
    auto again = f.ask<accounts::user_profile>(actors::register_atom::value,
                                               actors::registration{"alice", "Correct-horse-9", ""});
    CHECK(code_of(again) == error_code::conflict);
  }
  SECTION("the policy is enforced with its own code") {
    auto weak = f.ask<accounts::user_profile>(actors::register_atom::value, actors::registration{"bob", "short", ""});
    CHECK(code_of(weak) == error_code::weak_password);
  }
  SECTION("a bad username is a bad request") {
    auto bad = f.ask<accounts::user_profile>(actors::register_atom::value,
                                             actors::registration{"a b", "Correct-horse-9", ""});
    CHECK(code_of(bad) == error_code::bad_request);
  }
  SECTION("a wrong password and an unknown user look the same") {
    auto wrong = f.ask<actors::login_grant>(actors::login_atom::value, actors::login_attempt{"alice", "nope", "a"});
    auto unknown = f.ask<actors::login_grant>(actors::login_atom::value,
                                              actors::login_attempt{"nobody", "Correct-horse-9", "a"});
    CHECK(code_of(wrong) == error_code::unauthenticated);
    CHECK(code_of(unknown) == error_code::unauthenticated);
    CHECK(std::get<actors::client_error>(wrong).message == std::get<actors::client_error>(unknown).message);
  }
  SECTION("a token is stored only as its digest and logout revokes it") {
    auto granted = f.ask<actors::login_grant>(actors::login_atom::value,
                                              actors::login_attempt{"ALICE", "Correct-horse-9", "a"});
    REQUIRE(std::holds_alternative<actors::login_grant>(granted));
    auto token = std::get<actors::login_grant>(granted).token;
    accounts::account_repository repository{*f.db};
    REQUIRE(repository.find_token(accounts::token_digest(token)));
    CHECK_FALSE(repository.find_token(token));
    auto out = f.ask<caf::ok_atom>(actors::logout_atom::value, token);
    CHECK(std::holds_alternative<caf::ok_atom>(out));
    CHECK_FALSE(repository.find_token(accounts::token_digest(token)));
    CHECK(code_of(f.ask<caf::ok_atom>(actors::logout_atom::value, token)) == error_code::unauthenticated);
  }
  SECTION("repeated failures are throttled with a retry time") {
    for (int i = 0; i < 6; ++i)
      f.ask<actors::login_grant>(actors::login_atom::value, actors::login_attempt{"alice", "nope", "b"});
    auto limited = f.ask<actors::login_grant>(actors::login_atom::value,
                                              actors::login_attempt{"alice", "Correct-horse-9", "b"});
    CHECK(code_of(limited) == error_code::rate_limited);
    CHECK(std::get<actors::client_error>(limited).retry_after > 0);
  }
}

TEST_CASE("tokens expire after their lifetime", "[actors][accounts]") {
  fixture f{true, 1};
  f.ask<accounts::user_profile>(actors::register_atom::value, actors::registration{"erin", "Correct-horse-9", ""});
  auto granted = f.ask<actors::login_grant>(actors::login_atom::value,
                                            actors::login_attempt{"erin", "Correct-horse-9", "a"});
  REQUIRE(std::holds_alternative<actors::login_grant>(granted));
  const auto& grant = std::get<actors::login_grant>(granted);
  CHECK(grant.expires_at <= accounts::unix_now() + 1);
  std::this_thread::sleep_for(std::chrono::milliseconds{2100});
  // An expired token cannot be used, not even to log out.
  CHECK(code_of(f.ask<caf::ok_atom>(actors::logout_atom::value, grant.token)) == error_code::unauthenticated);
}

TEST_CASE("closed registration refuses new accounts", "[actors][accounts]") {
  fixture f{false};
  auto refused = f.ask<accounts::user_profile>(actors::register_atom::value,
                                               actors::registration{"frank", "Correct-horse-9", ""});
  CHECK(code_of(refused) == error_code::forbidden);
}

TEST_CASE("a crashed accounts service is restarted by the supervisor", "[actors][supervisor]") {
  fixture f;
  auto first = f.accounts();
  REQUIRE(first);
  caf::anon_send_exit(first, caf::exit_reason::kill);
  caf::actor second;
  for (int i = 0; i < 300; ++i) {
    second = f.accounts();
    if (second && second != first)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  REQUIRE(second);
  CHECK(second != first);
  auto registered = f.ask<accounts::user_profile>(actors::register_atom::value,
                                                  actors::registration{"grace", "Correct-horse-9", ""});
  CHECK(std::holds_alternative<accounts::user_profile>(registered));
}
