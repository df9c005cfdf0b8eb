// Every registered message type survives CAF's binary serializer by name, as it must between nodes.
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include "accounts/user_record.hpp"
#include "actors/accounts_messages.hpp"
#include "actors/admin_messages.hpp"
#include "actors/audit_messages.hpp"
#include "actors/meeting_messages.hpp"
#include "actors/messaging_messages.hpp"
#include "actors/shared_frame.hpp"
#include "actors/type_registry.hpp"
#include "storage/store_messages.hpp"

using namespace parley;

namespace {

struct test_config : caf::actor_system_config {
  test_config() { actors::register_message_types(*this); }
};

std::vector<char> serialize(caf::actor_system& sys, caf::message msg) {
  std::vector<char> buffer;
  caf::binary_serializer sink{sys, buffer};
  auto err = sink(msg);
  REQUIRE_FALSE(err);
  return buffer;
}

} // namespace

TEST_CASE("each registered message type round-trips through the binary serializer", "[actors][types]") {
  test_config cfg;
  caf::actor_system sys{cfg};
  storage::write_set writes;
  writes.put(storage::column_family::accounts, "k", "v").erase(storage::column_family::tokens, "t");
  accounts::user_profile profile{42, "alice", "Alice", true};
  std::vector<caf::message> samples{
    caf::make_message(writes.ops.front()),
    caf::make_message(writes),
    caf::make_message(profile),
    caf::make_message(actors::registration{"alice", "Correct-horse-9", "Alice"}),
    caf::make_message(actors::login_attempt{"alice", "Correct-horse-9", "127.0.0.1"}),
    caf::make_message(actors::login_grant{"token", 99, profile, "challenge", 100, true, {"abcde-fghjk"}}),
    caf::make_message(actors::account_command{"admin.unlock", "token", "alice", "{}", "127.0.0.1"}),
    caf::make_message(actors::signed_command{"me", "GET", "/api/v1/me", "a=1", "", "1700000000", "nonce-1",
                                             "PKABC", "00ff", "127.0.0.1"}),
    caf::make_message(actors::user_change{42, 1, "disable"}),
    caf::make_message(meetings::meeting_settings{}),
    caf::make_message(meetings::meeting_record{12345678901, "Standup", 42, 0, 30, "", {}, 1, 2, 0, 3}),
    caf::make_message(actors::join_request{7, profile, "Alice", true, "secret", "resume-token", false, "127.0.0.1"}),
    caf::make_message(actors::meeting_command{"participant.kick", 7, 8, false, true, "", 0, 0}),
    caf::make_message(actors::im_command{"im.send", 11, 42, "text", "hi 👋", "c-1", 0, 0, 0, {7, 8}, false, "", ""}),
    caf::make_message(audit::audit_event{3, 1700000000000, "user.delete", 42, "admin", 1, "2a", "bob", "127.0.0.1",
                                         std::string(32, '\1'), std::string(32, '\2')}),
    caf::make_message(actors::admin_request{"GET", "/api/v1/admin/users", "limit=5", "", "tok", "127.0.0.1"}),
    caf::make_message(actors::admin_reply{200, "application/json", "{}"}),
    caf::make_message(actors::shared_frame::of({0x82, 0xa2, 'e', 'v'})),
  };
  size_t registered = 0;
  for (const auto& [type, name] : cfg.type_names_by_rtti)
    if (name.rfind("parley.", 0) == 0)
      ++registered;
  CHECK(registered == samples.size()); // a new type needs a sample here
  for (auto& sample : samples) {
    auto bytes = serialize(sys, sample);
    caf::message copy;
    caf::binary_deserializer source{sys, bytes};
    REQUIRE_FALSE(source(copy));
    CHECK(serialize(sys, copy) == bytes);
    CHECK(copy.size() == sample.size());
  }
}

TEST_CASE("a deserialized write set keeps every operation", "[actors][types]") {
  test_config cfg;
  caf::actor_system sys{cfg};
  storage::write_set writes;
  writes.put(storage::column_family::messages, std::string("\0\1", 2), "payload");
  writes.put_sealed(storage::column_family::files, "image", 0x5eed, "secret");
  auto bytes = serialize(sys, caf::make_message(writes));
  caf::message copy;
  caf::binary_deserializer source{sys, bytes};
  REQUIRE_FALSE(source(copy));
  REQUIRE(copy.match_elements<storage::write_set>());
  const auto& back = copy.get_as<storage::write_set>(0);
  REQUIRE(back.ops.size() == 2);
  CHECK(back.ops[0].key == std::string("\0\1", 2));
  CHECK(back.ops[0].value == "payload");
  CHECK(back.ops[0].seal_owner == 0);
  CHECK(back.ops[1].seal_owner == 0x5eed); // sealed at commit, under this owner's key
}

TEST_CASE("a list of shared frames crosses the serializer with every frame's bytes", "[actors][types]") {
  test_config cfg;
  caf::actor_system sys{cfg};
  std::vector<actors::shared_frame> frames{actors::shared_frame::of({1, 2, 3}), actors::shared_frame::of({}),
                                           actors::shared_frame::of(std::vector<uint8_t>(300, 7))};
  auto bytes = serialize(sys, caf::make_message(frames));
  caf::message copy;
  caf::binary_deserializer source{sys, bytes};
  REQUIRE_FALSE(source(copy));
  REQUIRE(copy.match_elements<std::vector<actors::shared_frame>>());
  const auto& loaded = copy.get_as<std::vector<actors::shared_frame>>(0);
  REQUIRE(loaded.size() == frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    REQUIRE(loaded[i].bytes);
    CHECK(*loaded[i].bytes == *frames[i].bytes);
  }
}
