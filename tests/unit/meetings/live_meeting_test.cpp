// The live meeting rules without actors: entry checks, waiting for the host, roles, chat modes.
#include <catch2/catch.hpp>

#include "meetings/live_meeting.hpp"
#include "meetings/meeting_id.hpp"
#include "meetings/meeting_password.hpp"
#include "meetings/meeting_settings.hpp"

using namespace parley::meetings;
using parley::protocol::error_code;

namespace {

constexpr uint64_t host_user = 1;

meeting_record record_with(meeting_settings settings) {
  meeting_record r;
  r.id = 12345678901;
  r.host_id = host_user;
  r.settings = settings;
  return r;
}

participant person(uint64_t id, uint64_t user, int64_t at = 0) {
  participant p;
  p.id = id;
  p.user_id = user;
  p.display_name = "p" + std::to_string(id);
  p.joined_at = at;
  return p;
}

} // namespace

SCENARIO("participants wait for the host unless join_before_host", "[meetings]") {
  GIVEN("a meeting with a waiting room") {
    meeting_settings s;
    s.waiting_room = true;
    live_meeting m{record_with(s)};
    WHEN("a participant arrives first") {
      m.add(person(10, 2));
      THEN("they wait for the host, then move to the waiting room when the host arrives") {
        CHECK(m.find(10)->presence == presence::waiting_for_host);
        auto released = m.add(person(11, host_user));
        CHECK(released == std::vector<uint64_t>{10});
        CHECK(m.find(10)->presence == presence::waiting);
        CHECK(m.find(11)->role == role::host);
        CHECK_FALSE(m.admit(10));
        CHECK(m.find(10)->presence == presence::joined);
        CHECK(m.admit(10)->code == error_code::not_found);
      }
    }
  }
  GIVEN("join_before_host and no waiting room") {
    meeting_settings s;
    s.join_before_host = true;
    s.mute_on_entry = true;
    live_meeting m{record_with(s)};
    m.add(person(10, 2));
    CHECK(m.find(10)->presence == presence::joined);
    CHECK(m.find(10)->audio_muted);
  }
}

TEST_CASE("entry is refused in a fixed order: ended, banned, password, lock, capacity", "[meetings]") {
  meeting_settings s;
  s.max_participants = 2;
  s.join_before_host = true;
  auto r = record_with(s);
  r.password_hash = hash_meeting_password("pw");
  live_meeting m{r};
  CHECK(m.check_entry(2, std::nullopt)->code == error_code::bad_password);
  CHECK(m.check_entry(2, "nope")->code == error_code::bad_password);
  CHECK_FALSE(m.check_entry(2, "pw"));
  CHECK_FALSE(m.check_entry(host_user, std::nullopt)); // the host needs no password
  m.set_locked(true);
  CHECK(m.check_entry(2, "pw")->code == error_code::meeting_locked);
  CHECK_FALSE(m.check_entry(host_user, std::nullopt));
  m.set_locked(false);
  m.add(person(10, 2));
  m.add(person(11, 3));
  CHECK(m.check_entry(4, "pw")->code == error_code::meeting_full);
  m.ban(5);
  CHECK(m.check_entry(5, "pw")->code == error_code::banned);
  m.record().ended_at = 1;
  CHECK(m.check_entry(host_user, std::nullopt)->code == error_code::meeting_ended);
}

TEST_CASE("controls belong to hosts and co-hosts, and host passes on and is reclaimed", "[meetings]") {
  meeting_settings s;
  s.join_before_host = true;
  live_meeting m{record_with(s)};
  m.add(person(10, host_user, 1));
  m.add(person(11, 2, 2));
  m.add(person(12, 3, 3));
  CHECK(m.check_control(11)->code == error_code::forbidden);
  CHECK(m.set_role(11, 12, role::cohost)->code == error_code::forbidden);
  CHECK_FALSE(m.set_role(10, 12, role::cohost));
  CHECK_FALSE(m.check_control(12));
  CHECK(m.check_remove(12, 10)->code == error_code::forbidden); // nobody removes the host
  m.remove(10);
  CHECK(m.pass_host() == 12u); // a co-host before the longest-present participant
  m.add(person(13, host_user, 4));
  CHECK(m.find(13)->role == role::host);
  CHECK(m.find(12)->role == role::cohost);
  CHECK(m.stand_in_demoted() == 12u);
}

TEST_CASE("participants who arrive in the same millisecond keep their order of arrival", "[meetings]") {
  meeting_settings s;
  s.join_before_host = true;
  live_meeting m{record_with(s)};
  m.add(person(90, host_user, 1000));
  // Participant ids are random: the later arrival has the smaller id, and the same clock reading.
  m.add(person(80, 2, 1000));
  m.add(person(70, 3, 1000));
  CHECK(m.find(80)->joined_at < m.find(70)->joined_at);
  m.remove(90);
  CHECK(m.pass_host() == 80u); // the longest-present participant, not the smallest id
  CHECK_FALSE(m.stand_in_demoted()); // nobody has come back yet
}

TEST_CASE("chat modes and private chat", "[meetings][chat]") {
  meeting_settings s;
  s.join_before_host = true;
  live_meeting m{record_with(s)};
  m.add(person(10, host_user));
  m.add(person(11, 2));
  m.add(person(12, 3));
  CHECK_FALSE(m.check_chat(11, 0));
  CHECK_FALSE(m.check_chat(11, 12));
  m.record().settings.private_chat = false;
  CHECK(m.check_chat(11, 12)->code == error_code::forbidden);
  CHECK_FALSE(m.check_chat(11, 10));
  m.record().settings.chat = "host_only";
  CHECK(m.check_chat(11, 0)->code == error_code::forbidden);
  CHECK_FALSE(m.check_chat(11, 10));
  CHECK_FALSE(m.check_chat(10, 0));
  m.record().settings.chat = "off";
  CHECK(m.check_chat(11, 10)->code == error_code::forbidden);
  CHECK_FALSE(m.check_chat(10, 0));
  CHECK(m.check_chat(10, 99)->code == error_code::not_found);
}

TEST_CASE("meeting ids, PMIs, passwords and settings validate", "[meetings]") {
  for (int i = 0; i < 100; ++i) {
    auto id = random_meeting_id();
    CHECK(meeting_id_to_string(id).size() == 11);
    CHECK(parse_meeting_id(meeting_id_to_string(id)) == id);
    CHECK_FALSE(pmi_problem(std::to_string(random_pmi())));
  }
  CHECK(parse_meeting_id("123 4567 8901") == 12345678901u);
  CHECK_FALSE(parse_meeting_id("1234567890"));
  CHECK_FALSE(parse_meeting_id("01234567890"));
  CHECK(pmi_problem("0123456789"));
  CHECK(pmi_problem("7777777777"));
  CHECK(pmi_problem("3456789012"));
  CHECK_FALSE(pmi_problem("5550172639"));
  auto hash = hash_meeting_password("open-sesame");
  CHECK(hash.find("open-sesame") == std::string::npos);
  CHECK(verify_meeting_password(hash, "open-sesame"));
  CHECK_FALSE(verify_meeting_password(hash, "open-sesame!"));
  CHECK_FALSE(verify_meeting_password("garbage", "x"));
  CHECK(hash != hash_meeting_password("open-sesame"));

  meeting_settings settings;
  msgpack::zone zone;
  std::map<std::string, msgpack::object> good{{"chat", msgpack::object("off", zone)},
                                              {"max_participants", msgpack::object(250, zone)}};
  CHECK_FALSE(apply_settings(msgpack::object(good, zone), settings));
  CHECK(settings.chat == "off");
  CHECK(settings.max_participants == 250);
  std::map<std::string, msgpack::object> bad{{"waiting_room", msgpack::object(true, zone)},
                                             {"max_participants", msgpack::object(1001, zone)}};
  CHECK(apply_settings(msgpack::object(bad, zone), settings));
  CHECK_FALSE(settings.waiting_room); // nothing applied when any field is refused
}
