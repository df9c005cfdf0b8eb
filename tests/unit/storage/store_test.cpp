// The store acknowledges only durable writes, and concurrent writes share syncs (group commit).
#include <atomic>
#include <functional>
#include <thread>
#include <memory>

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include "actors/type_registry.hpp"
#include "storage/database.hpp"
#include "storage/key_codec.hpp"
#include "storage/store.hpp"
#include "storage/store_messages.hpp"
#include "telemetry/node_metrics.hpp"
#include "temp_dir.hpp"

using namespace parley;

namespace {

struct test_config : caf::actor_system_config {
  test_config() { actors::register_message_types(*this); }
};

} // namespace

TEST_CASE("concurrent writes are acknowledged and durable and share syncs", "[storage][store]") {
  test::temp_dir dir;
  constexpr int writers = 64;
  constexpr int writes_each = 20;
  telemetry::metrics_registry registry;
  telemetry::node_metrics metrics{registry};
  {
    std::string error;
    auto db = storage::database::open(dir.path(), error);
    REQUIRE(db);
    test_config cfg;
    caf::actor_system sys{cfg};
    auto store = storage::spawn_store(sys, db, &metrics);
    std::atomic<int> acknowledged{0};
    for (int w = 0; w < writers; ++w) {
      // w as a spawn argument: CAF 0.17 dereferences a null tuple for argument-less function actors.
      sys.spawn([=, &acknowledged](caf::event_based_actor* self, int) {
        auto next = std::make_shared<std::function<void(int)>>();
        *next = [=, &acknowledged](int i) {
          if (i == writes_each)
            return;
          storage::write_set set;
          set.put(storage::column_family::messages, storage::key_builder{}.u64(w).u64(i).str(), "value");
          self->request(store, std::chrono::seconds{30}, storage::write_atom::value, std::move(set))
            .then([=, &acknowledged](caf::ok_atom) {
              ++acknowledged;
              (*next)(i + 1);
            });
        };
        (*next)(0);
      }, w);
    }
    while (acknowledged.load() < writers * writes_each)
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  }
  CHECK(metrics.storage_writes.value() == writers * writes_each);
  CHECK(metrics.storage_batches.value() < metrics.storage_writes.value());
  std::string error;
  auto reopened = storage::database::open(dir.path(), error);
  REQUIRE(reopened);
  for (int w = 0; w < writers; ++w)
    for (int i = 0; i < writes_each; ++i)
      CHECK(reopened->get(storage::column_family::messages, storage::key_builder{}.u64(w).u64(i).str()) == "value");
}

TEST_CASE("a folder written by a newer schema is refused with a clear message", "[storage][database]") {
  test::temp_dir dir;
  {
    std::string error;
    auto db = storage::database::open(dir.path(), error);
    REQUIRE(db);
    storage::write_set set;
    set.put(storage::column_family::meta, "schema_version", storage::key_builder{}.u32(999).str());
    REQUIRE(db->write_synced(set).ok());
  }
  std::string error;
  CHECK_FALSE(storage::database::open(dir.path(), error));
  CHECK(error.find("newer parleyd") != std::string::npos);
}

TEST_CASE("a second process cannot open a folder in use", "[storage][database]") {
  test::temp_dir dir;
  std::string error;
  auto first = storage::database::open(dir.path(), error);
  REQUIRE(first);
  CHECK_FALSE(storage::database::open(dir.path(), error));
  CHECK(error.find("in use") != std::string::npos);
}
