// Meeting event fan-out under load: frames that queue up at once arrive whole, in order and
// byte-identical on every client; a join reply precedes the meeting's events; a participant
// that stops reading is cut off while the others get everything.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/meetings/meeting_harness.hpp"

using namespace parley::test_support;

namespace {

// Room for a pipelined burst of requests on one connection.
parleyd_options burst_options() {
  auto options = meeting_server_options();
  options.args.push_back("--ws-ops-per-second=5000");
  options.args.push_back("--ws-ops-burst=5000");
  return options;
}

/// Chat text number k: sizes vary so frames use both the 7-bit and the 16-bit length forms.
std::string chat_text(size_t k) {
  auto text = "m" + std::to_string(k) + ":";
  text.append((k * 37) % 600 + (k % 5 == 0 ? 3000 : 0), static_cast<char>('a' + k % 26));
  return text;
}

/// Index of a chat text made by chat_text.
size_t chat_index(const nlohmann::json& text) {
  return static_cast<size_t>(std::stoull(text.get<std::string>().substr(1)));
}

struct chat_seen {
  std::vector<size_t> order;                // chat_text indexes, in arrival order
  std::vector<uint64_t> seqs;               // their seq, in arrival order
  std::map<uint64_t, std::string> raw_by_seq; // the exact frame bytes of each chat.message
  std::set<uint64_t> replied_seqs;          // seqs of this client's chat.send replies so far
  size_t own_before_reply = 0;              // own chat.message seen before its chat.send reply
};

/// Reads until `count` chat.message events arrived (and `replies` responses, if any are expected).
chat_seen read_chat(ws_client& ws, size_t count, size_t replies = 0, const std::string& own_participant = {}) {
  chat_seen seen;
  size_t replies_seen = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{90};
  while (seen.order.size() < count || replies_seen < replies) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      FAIL("only " << seen.order.size() << " of " << count << " chat messages and " << replies_seen << " of "
                   << replies << " replies arrived in time");
    auto frame = ws.next(left);
    if (frame.what != ws_frame::kind::message)
      FAIL("connection ended after " << seen.order.size() << " chat messages: " << frame.error);
    if (frame.value.contains("re")) {
      INFO(frame.value.dump());
      REQUIRE(is_ws_ok(frame.value));
      ++replies_seen;
      if (frame.value["result"].contains("seq"))
        seen.replied_seqs.insert(frame.value["result"]["seq"].get<uint64_t>());
    } else if (frame.value.value("ev", "") == "chat.message") {
      const auto& data = frame.value["data"];
      seen.order.push_back(chat_index(data["text"]));
      seen.seqs.push_back(data["seq"].get<uint64_t>());
      if (!own_participant.empty() && data["from"] == own_participant
          && !seen.replied_seqs.count(data["seq"].get<uint64_t>()))
        ++seen.own_before_reply;
      seen.raw_by_seq[data["seq"].get<uint64_t>()] = frame.bytes;
    }
  }
  return seen;
}

std::vector<size_t> in_sequence(size_t from, size_t to) {
  std::vector<size_t> v;
  for (size_t k = from; k < to; ++k)
    v.push_back(k);
  return v;
}

} // namespace

TEST_CASE("a burst of chat arrives whole, in order and byte-identical on every client", "[meetings][fanout]") {
  parleyd_process server(burst_options());
  auto host = sign_in(server, "host");
  auto ann = sign_in(server, "ann");
  auto ben = sign_in(server, "ben");
  auto late = sign_in(server, "late");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}});
  join(host.ws, id);
  join(ann.ws, id);
  join(ben.ws, id);

  // Ann sends a burst without waiting for replies, so events pile up on every connection.
  constexpr size_t first_half = 200, total = 400;
  for (size_t k = 0; k < first_half; ++k)
    ann.ws.send_request("chat.send", {{"text", chat_text(k)}});
  // A participant joining in the middle of the burst sees the join reply before any chat.message.
  const auto join_id = late.ws.send_request("meeting.join", {{"meeting_id", id}});
  for (size_t k = first_half; k < total; ++k)
    ann.ws.send_request("chat.send", {{"text", chat_text(k)}});

  auto first = late.ws.read(std::chrono::seconds{30});
  INFO("first frame after meeting.join: " << first.dump().substr(0, 300));
  REQUIRE(first.contains("re"));
  CHECK(first["re"] == join_id);
  CHECK(is_ws_ok(first));

  auto host_seen = read_chat(host.ws, total);
  auto ann_seen = read_chat(ann.ws, total, total);
  auto ben_seen = read_chat(ben.ws, total);
  CHECK(host_seen.order == in_sequence(0, total));
  CHECK(ann_seen.order == in_sequence(0, total));
  CHECK(ben_seen.order == in_sequence(0, total));
  // One encoding shared by all: every client received exactly the same bytes for each message.
  REQUIRE(host_seen.raw_by_seq.size() == total);
  CHECK(ann_seen.raw_by_seq == host_seen.raw_by_seq);
  CHECK(ben_seen.raw_by_seq == host_seen.raw_by_seq);

  // The late joiner gets a gap-free, ordered tail of the burst, byte for byte the same.
  ok(ann.ws, "chat.send", {{"text", chat_text(total)}});
  chat_seen late_seen;
  for (;;) {
    auto frame = late.ws.next(std::chrono::seconds{30});
    REQUIRE(frame.what == ws_frame::kind::message);
    if (frame.value.value("ev", "") != "chat.message")
      continue;
    late_seen.order.push_back(chat_index(frame.value["data"]["text"]));
    late_seen.raw_by_seq[frame.value["data"]["seq"].get<uint64_t>()] = frame.bytes;
    if (late_seen.order.back() == total)
      break;
  }
  REQUIRE_FALSE(late_seen.order.empty());
  CHECK(late_seen.order == in_sequence(late_seen.order.front(), total + 1));
  for (const auto& [seq, bytes] : late_seen.raw_by_seq)
    if (host_seen.raw_by_seq.count(seq))
      CHECK(host_seen.raw_by_seq.at(seq) == bytes);
}

TEST_CASE("chat sent by several participants at once arrives in one seq order on every client",
          "[meetings][fanout]") {
  parleyd_process server(burst_options());
  std::vector<member> members;
  for (const char* name : {"host", "ann", "ben", "cat"})
    members.push_back(sign_in(server, name));
  const auto id = create_meeting(members[0].ws, {{"join_before_host", true}});
  std::vector<std::string> pids;
  for (auto& m : members)
    pids.push_back(join(m.ws, id)["participant_id"].get<std::string>());

  // Three senders pipeline their messages at the same time: the meeting writes what queues up
  // during one write as the next batch, and fans each batch out as one message per session.
  constexpr size_t per_sender = 100, senders = 3;
  for (size_t j = 0; j < per_sender; ++j)
    for (size_t s = 0; s < senders; ++s)
      members[s].ws.send_request("chat.send", {{"text", chat_text(s * 1000 + j)}});

  std::vector<chat_seen> seen;
  for (size_t i = 0; i < members.size(); ++i)
    seen.push_back(read_chat(members[i].ws, per_sender * senders, i < senders ? per_sender : 0, pids[i]));
  for (auto& view : seen) {
    CHECK(view.own_before_reply == 0); // a sender's reply comes before its own chat.message
    CHECK(std::is_sorted(view.seqs.begin(), view.seqs.end()));
    CHECK(std::adjacent_find(view.seqs.begin(), view.seqs.end()) == view.seqs.end());
    CHECK(view.order == seen[0].order); // the same order everywhere
    CHECK(view.raw_by_seq == seen[0].raw_by_seq);
    for (size_t s = 0; s < senders; ++s) { // each sender's messages in the order it sent them
      std::vector<size_t> mine;
      for (auto k : view.order)
        if (k / 1000 == s)
          mine.push_back(k);
      CHECK(mine == in_sequence(s * 1000, s * 1000 + per_sender));
    }
  }
}

TEST_CASE("a participant that stops reading is disconnected while the others get every message",
          "[meetings][fanout][limits]") {
  auto options = burst_options();
  options.args.push_back("--ws-outbound-limit=65536");
  parleyd_process server(options);
  auto host = sign_in(server, "host");
  auto ben = sign_in(server, "ben");
  auto stalled = sign_in(server, "stalled");
  const auto id = create_meeting(host.ws, {{"join_before_host", true}});
  join(host.ws, id);
  join(ben.ws, id);
  join(stalled.ws, id);

  // From here `stalled` reads nothing. The host sends 4 KiB messages in rounds; host and ben
  // read theirs each round. Once the kernel's socket buffers towards `stalled` are full, its
  // queue in parleyd reaches the 64 KiB limit and the connection is cut.
  https_client client(server.host(), server.port());
  auto slow_consumers = [&] {
    return metric_sum(client.get("/metrics").body, "parley_ws_slow_consumers_total").value_or(0);
  };
  constexpr size_t round = 10, max_messages = 6000; // a round (40 KiB) fits in the socket buffers of those who read
  size_t sent = 0;
  while (sent < max_messages && slow_consumers() < 1) {
    for (size_t k = sent; k < sent + round; ++k)
      host.ws.send_request("chat.send", {{"text", "m" + std::to_string(k) + ":" + std::string(4000, 'x')}});
    auto host_seen = read_chat(host.ws, round, round);
    auto ben_seen = read_chat(ben.ws, round);
    REQUIRE(host_seen.order == in_sequence(sent, sent + round));
    REQUIRE(ben_seen.order == in_sequence(sent, sent + round));
    sent += round;
  }
  INFO(sent << " messages sent");
  CHECK(slow_consumers() == 1);

  // The others carry on; the stalled connection ends before it could read everything.
  ok(host.ws, "chat.send", {{"text", "m" + std::to_string(sent) + ":after"}});
  CHECK(read_chat(ben.ws, 1).order == std::vector<size_t>{sent});
  size_t stalled_got = 0;
  for (;;) {
    auto frame = stalled.ws.next(std::chrono::seconds{30});
    if (frame.what != ws_frame::kind::message)
      break;
    if (frame.value.value("ev", "") == "chat.message")
      ++stalled_got;
  }
  CHECK(stalled_got < sent);
}
