// Shared set-up for the messaging tests: signed-in WSS clients, conversations, collecting IM events.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tests/meetings/meeting_harness.hpp"

namespace parley::test_support {

inline std::string open_direct(ws_client& ws, const account& peer) {
  return ok(ws, "im.conversation.open_direct", {{"user_id", peer.id}})["conversation"]["conversation_id"];
}

inline std::string create_group(ws_client& ws, std::string_view name, const std::vector<const account*>& others) {
  nlohmann::json ids = nlohmann::json::array();
  for (auto* a : others)
    ids.push_back(a->id);
  return ok(ws, "im.conversation.create", {{"name", name}, {"user_ids", ids}})["conversation"]["conversation_id"];
}

/// Sends a text with a fresh client id; returns its seq.
inline uint64_t send_text(ws_client& ws, const std::string& conversation, std::string_view text) {
  static int counter = 0;
  auto result = ok(ws, "im.send",
                   {{"conversation_id", conversation}, {"client_id", "t-" + std::to_string(++counter)}, {"text", text}});
  return result["seq"].get<uint64_t>();
}

/// Waits for the next `im.message` of `conversation` (other events are skipped); returns its message.
inline nlohmann::json next_message(ws_client& ws, const std::string& conversation,
                                   std::chrono::milliseconds timeout = std::chrono::seconds{15}) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto data = wait_event(ws, "im.message", std::max(left, std::chrono::milliseconds{1}));
    if (data["conversation_id"] == conversation)
      return data["message"];
  }
}

/// Waits for the next `im.message` of `conversation` written by `sender_id` (one's own echoes are skipped).
inline nlohmann::json next_message_from(ws_client& ws, const std::string& conversation, const std::string& sender_id) {
  for (;;) {
    auto m = next_message(ws, conversation);
    if (m["sender_id"] == sender_id)
      return m;
  }
}

/// Every entry of the conversation, oldest first, by paging history backwards.
inline std::vector<nlohmann::json> whole_history(ws_client& ws, const std::string& conversation) {
  std::vector<nlohmann::json> all;
  uint64_t before = 0;
  for (;;) {
    nlohmann::json args = {{"conversation_id", conversation}, {"limit", 100}};
    if (before != 0)
      args["before_seq"] = before;
    auto page = ok(ws, "im.history", args);
    auto messages = page["messages"];
    all.insert(all.begin(), messages.begin(), messages.end());
    if (!page["more"].get<bool>() || messages.empty())
      break;
    before = messages[0]["seq"].get<uint64_t>();
  }
  return all;
}

} // namespace parley::test_support
