// Session side of messaging: validate and decode args, ask the messaging directory, answer.
// Every conversation op is authorised by the conversation's chat channel (membership, ownership).
#include "actors/messaging_ops.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "actors/messaging_codec.hpp"
#include "actors/messaging_directory.hpp"
#include "actors/messaging_messages.hpp"
#include "actors/service_error.hpp"
#include "actors/supervisor.hpp"
#include "meetings/meeting_id.hpp"
#include "messaging/messaging_repository.hpp"
#include "messaging/utf8.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
namespace kinds = messaging::kinds;
constexpr auto ask_timeout = std::chrono::seconds{15};
constexpr size_t max_list = 100;
constexpr size_t max_search = 50;
constexpr size_t max_ids = 256;
constexpr uint64_t unread_cap = 100;

caf::actor messaging_of(session_actor* self) {
  return lookup_service(self->system(), messaging_service_name);
}

void reply_caf_error(session_actor* self, std::optional<uint64_t> id, const caf::error& err) {
  auto client = to_client_error(err);
  self->state.reply_error(id, client.code, client.message);
}

/// Sends `xs...` to the messaging directory and relays its packed answer (or error) to the client.
/// The session waits for the answer before it handles its next frame or event (`await`), so a
/// client sees the answer to an op before any event that op caused.
template <class... Ts>
void ask_messaging(session_actor* self, protocol::request& req, Ts&&... xs) {
  auto directory = messaging_of(self);
  if (!directory) {
    self->state.reply_error(req.id, error_code::unavailable, "messaging is restarting; try again");
    return;
  }
  self->request(directory, ask_timeout, std::forward<Ts>(xs)...)
    .await([self, id = req.id](const std::vector<uint8_t>& result) { self->state.reply_ok(id, result); },
          [self, id = req.id](caf::error& err) { reply_caf_error(self, id, err); });
}

/// `im.send` without waiting: the session goes on with its next frames and events, so a client may
/// keep several sends in flight (they are group-committed together). One sender's sends keep their
/// order, because they reach the directory, and from it the conversation's channel, in the order
/// they were sent; and the answer still comes before the sender's own `im.message`, because the
/// channel answers before it hands the message to the directory for fan-out.
void send_pipelined(session_actor* self, protocol::request& req, im_command cmd) {
  auto directory = messaging_of(self);
  if (!directory) {
    self->state.reply_error(req.id, error_code::unavailable, "messaging is restarting; try again");
    return;
  }
  self->request(directory, ask_timeout, im_route_atom::value, std::move(cmd))
    .then([self, id = req.id](const std::vector<uint8_t>& result) { self->state.reply_ok(id, result); },
          [self, id = req.id](caf::error& err) { reply_caf_error(self, id, err); });
}

/// A user or conversation id field: 16 hex digits. Replies and returns nullopt if missing or malformed.
std::optional<uint64_t> id_arg(session_actor* self, protocol::request& req, std::string_view field) {
  uint64_t id = 0;
  auto text = protocol::string_field(req.args, field);
  if (!text || !accounts::id_from_hex(*text, id) || id == 0) {
    self->state.reply_error(req.id, error_code::bad_request, "args." + std::string{field} + " must be an id (16 hex digits)");
    return std::nullopt;
  }
  return id;
}

std::optional<std::vector<uint64_t>> ids_arg(session_actor* self, protocol::request& req, std::string_view field,
                                             bool required) {
  auto* f = protocol::find_field(req.args, field);
  std::vector<uint64_t> out;
  if (!f) {
    if (!required)
      return out;
  } else if (f->type == msgpack::type::ARRAY && f->via.array.size <= max_ids) {
    bool ok = true;
    for (uint32_t i = 0; i < f->via.array.size && ok; ++i) {
      const auto& item = f->via.array.ptr[i];
      uint64_t id = 0;
      ok = item.type == msgpack::type::STR && accounts::id_from_hex({item.via.str.ptr, item.via.str.size}, id) && id;
      out.push_back(id);
    }
    if (ok)
      return out;
  }
  self->state.reply_error(req.id, error_code::bad_request,
                          "args." + std::string{field} + " must be a list of at most " + std::to_string(max_ids) + " user ids");
  return std::nullopt;
}

/// Optional unsigned field; replies and returns false when present but not an integer in [min, max].
bool uint_arg(session_actor* self, protocol::request& req, std::string_view field, uint64_t min, uint64_t max,
              uint64_t& out, bool required = false) {
  auto* f = protocol::find_field(req.args, field);
  if (!f && !required)
    return true;
  if (!f || f->type != msgpack::type::POSITIVE_INTEGER || f->via.u64 < min || f->via.u64 > max) {
    self->state.reply_error(req.id, error_code::bad_request,
                            "args." + std::string{field} + " must be an integer from " + std::to_string(min) + " to "
                              + std::to_string(max));
    return false;
  }
  out = f->via.u64;
  return true;
}

/// Text a person wrote: well-formed UTF-8 of 1..max bytes.
bool text_arg(session_actor* self, protocol::request& req, std::string_view field, size_t max, std::string& out,
              bool required = true) {
  auto* f = protocol::find_field(req.args, field);
  if (!f && !required)
    return true;
  if (!f || f->type != msgpack::type::STR || f->via.str.size == 0) {
    self->state.reply_error(req.id, error_code::bad_request, "args." + std::string{field} + " (non-empty string) is required");
    return false;
  }
  if (f->via.str.size > max) {
    self->state.reply_error(req.id, error_code::payload_too_large,
                            "args." + std::string{field} + " is longer than " + std::to_string(max) + " bytes");
    return false;
  }
  std::string_view text{f->via.str.ptr, f->via.str.size};
  if (!messaging::is_valid_utf8(text)) {
    self->state.reply_error(req.id, error_code::bad_request, "args." + std::string{field} + " is not valid UTF-8");
    return false;
  }
  out.assign(text);
  return true;
}

/// The command for a conversation op with its conversation_id read; nullopt (replied) if invalid.
std::optional<im_command> conversation_command(session_actor* self, protocol::request& req) {
  auto conversation = id_arg(self, req, "conversation_id");
  if (!conversation)
    return std::nullopt;
  im_command cmd;
  cmd.op = req.op;
  cmd.conversation = *conversation;
  cmd.user = self->state.user->id;
  return cmd;
}

bool decode_send(session_actor* self, protocol::request& req, im_command& cmd) {
  auto client_id = protocol::string_field(req.args, "client_id");
  if (!client_id || client_id->empty() || client_id->size() > messaging::max_client_id) {
    self->state.reply_error(req.id, error_code::bad_request,
                            "args.client_id (a string of 1-64 bytes, unique per message) is required");
    return false;
  }
  cmd.client_id = std::string{*client_id};
  auto kind = protocol::string_field(req.args, "kind").value_or(kinds::text);
  if (kind == kinds::text) {
    cmd.kind = std::string{kinds::text};
    return text_arg(self, req, "text", messaging::max_text, cmd.text);
  }
  if (kind == kinds::image) {
    cmd.kind = std::string{kinds::image};
    auto file = id_arg(self, req, "file_id");
    if (!file)
      return false;
    cmd.file_id = *file;
    return text_arg(self, req, "text", messaging::max_text, cmd.text, false);
  }
  if (kind == kinds::invite) {
    cmd.kind = std::string{kinds::invite};
    auto text = protocol::string_field(req.args, "meeting_id");
    auto meeting = text ? meetings::parse_meeting_id(*text) : std::nullopt;
    if (!meeting) {
      self->state.reply_error(req.id, error_code::bad_request, "args.meeting_id must be an 11-digit meeting id");
      return false;
    }
    cmd.data = meetings::meeting_id_to_string(*meeting);
    return text_arg(self, req, "text", messaging::max_text, cmd.text, false);
  }
  self->state.reply_error(req.id, error_code::bad_request, "args.kind must be text, image or invite");
  return false;
}

/// Decodes the op-specific args of a conversation op into `cmd`; false (replied) if invalid.
bool decode_conversation_args(session_actor* self, protocol::request& req, im_command& cmd) {
  const auto& op = req.op;
  if (op == "im.send")
    return decode_send(self, req, cmd);
  if (op == "im.edit")
    return uint_arg(self, req, "seq", 1, UINT64_MAX, cmd.seq, true)
           && text_arg(self, req, "text", messaging::max_text, cmd.text);
  if (op == "im.delete")
    return uint_arg(self, req, "seq", 1, UINT64_MAX, cmd.seq, true);
  uint64_t limit = 0;
  if (op == "im.history") {
    if (!uint_arg(self, req, "before_seq", 1, UINT64_MAX, cmd.seq) || !uint_arg(self, req, "limit", 1, 100, limit))
      return false;
    cmd.limit = static_cast<uint32_t>(limit);
    return true;
  }
  if (op == "im.sync") {
    auto* after = protocol::find_field(req.args, "after_seq");
    if (!after || after->type != msgpack::type::POSITIVE_INTEGER) {
      self->state.reply_error(req.id, error_code::bad_request, "args.after_seq (integer, 0 for everything) is required");
      return false;
    }
    cmd.seq = after->via.u64;
    if (!uint_arg(self, req, "limit", 1, 500, limit))
      return false;
    cmd.limit = static_cast<uint32_t>(limit);
    return true;
  }
  if (op == "im.read")
    return uint_arg(self, req, "seq", 1, UINT64_MAX, cmd.seq, true);
  if (op == "im.typing") {
    auto typing = protocol::bool_field(req.args, "typing");
    if (!typing) {
      self->state.reply_error(req.id, error_code::bad_request, "args.typing (boolean) is required");
      return false;
    }
    cmd.flag = *typing;
    return true;
  }
  if (op == "im.conversation.rename")
    return text_arg(self, req, "name", messaging::max_group_name, cmd.text);
  if (op == "im.conversation.add_members") {
    auto users = ids_arg(self, req, "user_ids", true);
    if (users)
      cmd.users = std::move(*users);
    return users.has_value();
  }
  if (op == "im.conversation.remove_member") {
    auto user = id_arg(self, req, "user_id");
    if (user)
      cmd.users = {*user};
    return user.has_value();
  }
  return true; // im.conversation.get, im.conversation.leave
}

void op_conversation(session_actor* self, protocol::request& req) {
  auto cmd = conversation_command(self, req);
  if (!cmd || !decode_conversation_args(self, req, *cmd))
    return;
  if (req.op == "im.send") {
    send_pipelined(self, req, std::move(*cmd));
    return;
  }
  ask_messaging(self, req, im_route_atom::value, std::move(*cmd));
}

void op_open_direct(session_actor* self, protocol::request& req) {
  auto peer = id_arg(self, req, "user_id");
  if (!peer)
    return;
  ask_messaging(self, req, im_direct_atom::value, self->state.user->id, *peer);
}

void op_create_group(session_actor* self, protocol::request& req) {
  im_command cmd;
  cmd.op = req.op;
  cmd.user = self->state.user->id;
  if (!text_arg(self, req, "name", messaging::max_group_name, cmd.text))
    return;
  auto users = ids_arg(self, req, "user_ids", false);
  if (!users)
    return;
  cmd.users = std::move(*users);
  ask_messaging(self, req, im_group_atom::value, std::move(cmd));
}

/// `im.conversation.list`'s cursor: where a page ended in the user's activity index (activity_ms and
/// conversation, 32 hex digits). Clients treat it as opaque.
std::string list_cursor(int64_t activity_ms, uint64_t conversation) {
  return accounts::id_to_hex(static_cast<uint64_t>(activity_ms)) + accounts::id_to_hex(conversation);
}

bool parse_list_cursor(std::string_view text, int64_t& activity_ms, uint64_t& conversation) {
  uint64_t at = 0;
  if (text.size() != 32 || !accounts::id_from_hex(text.substr(0, 16), at) || !accounts::id_from_hex(text.substr(16), conversation))
    return false;
  activity_ms = static_cast<int64_t>(at);
  return true;
}

/// Reads straight from storage: every listed entry is durable, so the list never shows more than was acknowledged.
/// Pages follow the activity index (most recent first); `cursor` continues after the previous page.
void op_list(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  uint64_t limit = 50;
  if (!uint_arg(self, req, "limit", 1, max_list, limit))
    return;
  std::optional<std::pair<int64_t, uint64_t>> after;
  if (auto* field = protocol::find_field(req.args, "cursor")) {
    int64_t at = 0;
    uint64_t conversation = 0;
    if (field->type != msgpack::type::STR
        || !parse_list_cursor({field->via.str.ptr, field->via.str.size}, at, conversation)) {
      self->state.reply_error(req.id, error_code::bad_request,
                              "args.cursor must be the cursor a previous im.conversation.list returned");
      return;
    }
    after.emplace(at, conversation);
  }
  messaging::messaging_repository repository{*st.ctx->db};
  accounts::account_repository accounts{*st.ctx->db};
  auto entries = after ? repository.by_activity_after(st.user->id, after->first, after->second, limit + 1)
                       : repository.by_activity(st.user->id, limit + 1);
  const bool more = entries.size() > limit;
  if (more)
    entries.resize(limit);
  msgpack::sbuffer buffer;
  im_packer pk(buffer);
  pk.pack_map(more ? 3 : 2);
  pk.pack("conversations");
  std::vector<std::pair<messaging::conversation_record, int64_t>> found;
  for (auto [id, at] : entries)
    if (auto record = repository.find_conversation(id); record && record->has_member(st.user->id))
      found.emplace_back(std::move(*record), at);
  pk.pack_array(static_cast<uint32_t>(found.size()));
  for (const auto& [record, at] : found) {
    auto last = repository.last_message(record.id);
    auto read = repository.read_marker(st.user->id, record.id);
    pk.pack_map(last ? 6 : 5);
    pk.pack("conversation");
    pack_conversation(pk, accounts, record);
    pk.pack("last_seq");
    pk.pack(last ? last->seq : 0);
    pk.pack("read_seq");
    pk.pack(read);
    pk.pack("unread");
    pk.pack(repository.unread(record.id, st.user->id, read, unread_cap));
    pk.pack("activity_at");
    pk.pack(at);
    if (last) {
      pk.pack("last_message");
      pack_message(pk, *last);
    }
  }
  pk.pack("more");
  pk.pack(more);
  if (more) {
    pk.pack("cursor");
    pk.pack(list_cursor(entries.back().second, entries.back().first));
  }
  st.reply_ok(req.id, packed_of(buffer));
}

std::string lower(std::string_view text) {
  std::string out{text};
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// People of the caller's organisation whose name or username contains the query. Accounts carry
/// no organisation yet, so the whole node is one organisation; the filter goes here when they do.
void op_people_search(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  std::string query;
  if (!text_arg(self, req, "query", 64, query))
    return;
  uint64_t limit = 20;
  if (!uint_arg(self, req, "limit", 1, max_search, limit))
    return;
  const auto needle = lower(query);
  accounts::account_repository accounts{*st.ctx->db};
  msgpack::sbuffer body;
  im_packer pk(body);
  uint32_t count = 0;
  for (const auto& user : accounts.list_users()) {
    if (count >= limit)
      break;
    if (user.disabled || user.id == st.user->id)
      continue;
    if (lower(user.display_name).find(needle) == std::string::npos && lower(user.username).find(needle) == std::string::npos)
      continue;
    pack_person(pk, accounts, user.id);
    ++count;
  }
  msgpack::sbuffer buffer;
  im_packer out(buffer);
  out.pack_map(1);
  out.pack("people");
  out.pack_array(count);
  buffer.write(body.data(), body.size());
  st.reply_ok(req.id, packed_of(buffer));
}

void op_presence_set(session_actor* self, protocol::request& req) {
  auto status = protocol::string_field(req.args, "status");
  if (!status || (*status != "online" && *status != "away")) {
    self->state.reply_error(req.id, error_code::bad_request, "args.status must be online or away");
    return;
  }
  if (auto directory = messaging_of(self))
    self->send(directory, im_presence_atom::value, self->state.user->id, std::string{*status});
  self->state.reply_ok(req.id, protocol::empty_map());
}

void op_presence_get(session_actor* self, protocol::request& req) {
  auto users = ids_arg(self, req, "user_ids", true);
  if (!users)
    return;
  auto directory = messaging_of(self);
  if (!directory) {
    self->state.reply_error(req.id, error_code::unavailable, "messaging is restarting; try again");
    return;
  }
  self->request(directory, ask_timeout, im_presence_get_atom::value, *users)
    .await(
      [self, id = req.id, users = *users](const std::vector<std::string>& statuses) {
        msgpack::sbuffer buffer;
        im_packer pk(buffer);
        pk.pack_map(1);
        pk.pack("presence");
        pk.pack_map(static_cast<uint32_t>(std::min(users.size(), statuses.size())));
        for (size_t i = 0; i < users.size() && i < statuses.size(); ++i) {
          pk.pack(accounts::id_to_hex(users[i]));
          pk.pack(statuses[i]);
        }
        self->state.reply_ok(id, packed_of(buffer));
      },
      [self, id = req.id](caf::error& err) { reply_caf_error(self, id, err); });
}

} // namespace

void add_messaging_ops(op_table& table) {
  table.emplace("im.conversation.open_direct", op_entry{op_open_direct});
  table.emplace("im.conversation.create", op_entry{op_create_group});
  table.emplace("im.conversation.list", op_entry{op_list});
  for (auto op : {"im.conversation.get", "im.conversation.rename", "im.conversation.add_members",
                  "im.conversation.remove_member", "im.conversation.leave", "im.send", "im.edit", "im.delete",
                  "im.history", "im.sync", "im.read", "im.typing"})
    table.emplace(op, op_entry{op_conversation});
  table.emplace("people.search", op_entry{op_people_search});
  table.emplace("presence.set", op_entry{op_presence_set});
  table.emplace("presence.get", op_entry{op_presence_get});
}

void attach_to_inbox(session_actor* self) {
  if (auto directory = messaging_of(self))
    self->send(directory, im_attach_atom::value, self->state.user->id, caf::actor_cast<caf::actor>(self));
}

} // namespace parley::actors
