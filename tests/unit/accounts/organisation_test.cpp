// Organisations: the default one every user belongs to, tiers and their caps.
#include <catch2/catch.hpp>

#include "accounts/account_repository.hpp"
#include "accounts/organisation_repository.hpp"
#include "storage/database.hpp"
#include "storage/value_codec.hpp"
#include "temp_dir.hpp"

using namespace parley;

TEST_CASE("tiers cap participants per meeting at 100/300/500/1000", "[accounts][organisation]") {
  CHECK(accounts::tier_cap("basic") == 100u);
  CHECK(accounts::tier_cap("pro") == 300u);
  CHECK(accounts::tier_cap("business") == 500u);
  CHECK(accounts::tier_cap("enterprise") == 1000u);
  CHECK_FALSE(accounts::tier_cap("platinum").has_value());
}

TEST_CASE("a fresh data folder gets the default organisation once", "[accounts][organisation]") {
  test::temp_dir dir;
  std::string error;
  auto db = storage::database::open(dir.path(), error);
  REQUIRE(db);
  REQUIRE(accounts::ensure_default_organisation(*db).empty());
  accounts::organisation_repository orgs{*db};
  auto org = orgs.find(accounts::default_org_id);
  REQUIRE(org);
  CHECK(org->settings.tier == "basic");
  org->settings.tier = "pro";
  storage::write_set writes;
  accounts::organisation_repository::put(writes, *org);
  REQUIRE(db->write_synced(writes).ok());
  REQUIRE(accounts::ensure_default_organisation(*db).empty()); // keeps the edited one
  CHECK(orgs.find(accounts::default_org_id)->settings.tier == "pro");
  CHECK(orgs.list().size() == 1);
}

namespace {

/// A user record as stored before organisations existed.
struct old_user {
  uint64_t id = 7;
  std::string username = "old";
  MSGPACK_DEFINE_MAP(id, username)
};

} // namespace

TEST_CASE("a user stored before organisations existed belongs to the default one", "[accounts][organisation]") {
  auto decoded = storage::decode_value<accounts::user_record>(storage::encode_value(old_user{}));
  REQUIRE(decoded);
  CHECK(decoded->id == 7);
  CHECK(decoded->org_id == accounts::default_org_id);
}
