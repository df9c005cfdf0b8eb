// Chat channel: authorises every op by membership, orders entries, writes through the store, then fans out.
#include "actors/chat_channel.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <map>
#include <unordered_map>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "actors/messaging_codec.hpp"
#include "actors/messaging_messages.hpp"
#include "actors/service_error.hpp"
#include "messaging/messaging_keys.hpp"
#include "messaging/messaging_repository.hpp"
#include "storage/store_messages.hpp"
#include "telemetry/node_metrics.hpp"

namespace parley::actors {

namespace {

using bytes = std::vector<uint8_t>;
using protocol::error_code;
using messaging::message_record;
namespace kinds = messaging::kinds;
constexpr auto store_timeout = std::chrono::seconds{30};
constexpr size_t max_page = 100;
constexpr size_t max_sync = 500;
constexpr uint64_t unread_cap = 100;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// A send whose write is in flight: retries with the same client id wait for it.
struct pending_send {
  uint64_t seq = 0;
  int64_t at = 0;
  std::vector<caf::typed_response_promise<bytes>> promises;
};

struct chat_channel_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  caf::actor directory;
  std::unique_ptr<messaging::messaging_repository> repository;
  std::unique_ptr<accounts::account_repository> accounts;
  messaging::conversation_record record;
  uint64_t last_seq = 0;
  // The `at` of the newest entry: every member's activity-index entry sits at this stamp.
  int64_t last_at = 0;
  std::unordered_map<uint64_t, uint64_t> read; // user → read marker, loaded on first use
  std::map<std::pair<uint64_t, std::string>, pending_send> pending;
  // Retirement: commands received (the directory counts those it routed), store writes not yet
  // answered, and when the channel was last busy.
  uint64_t commands = 0;
  size_t writes_in_flight = 0;
  std::chrono::steady_clock::time_point last_busy = std::chrono::steady_clock::now();
  static inline const char* name = "parley.chat_channel";
};

using chat_channel_actor = caf::stateful_actor<chat_channel_state>;

caf::error refuse(error_code code, std::string message) {
  return make_service_error(code, std::move(message));
}

/// Writes through the store's group commit; `on_ok` runs once durable. Counted, so that the channel
/// retires only when none of its writes is still in flight.
template <class OnOk, class OnError>
void store_write(chat_channel_actor* self, storage::write_set writes, OnOk on_ok, OnError on_error) {
  ++self->state.writes_in_flight;
  self->request(self->state.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then(
      [self, on_ok = std::move(on_ok)](caf::ok_atom) mutable {
        --self->state.writes_in_flight;
        self->state.last_busy = std::chrono::steady_clock::now();
        on_ok();
      },
      [self, on_error = std::move(on_error)](caf::error& err) mutable {
        // A write that timed out may still land: it stays counted, so this channel never retires
        // and no successor reads a last_seq that the write is about to move.
        if (err != caf::sec::request_timeout)
          --self->state.writes_in_flight;
        self->state.last_busy = std::chrono::steady_clock::now();
        on_error(err);
      });
}

uint64_t read_marker(chat_channel_actor* self, uint64_t user) {
  auto& st = self->state;
  auto it = st.read.find(user);
  if (it == st.read.end())
    it = st.read.emplace(user, st.repository->read_marker(user, st.record.id)).first;
  return it->second;
}

void deliver(chat_channel_actor* self, std::vector<uint64_t> users, std::string name, bytes data) {
  self->send(self->state.directory, im_deliver_atom::value, std::move(users), std::move(name), std::move(data));
}

void deliver_to_members(chat_channel_actor* self, std::string name, bytes data, uint64_t except = 0) {
  std::vector<uint64_t> users;
  users.reserve(self->state.record.members.size());
  for (auto m : self->state.record.members)
    if (m != except)
      users.push_back(m);
  deliver(self, std::move(users), std::move(name), std::move(data));
}

/// Starts a new timeline entry: the next seq, and an `at` that never goes back.
message_record next_entry(chat_channel_actor* self, uint64_t sender, std::string_view kind) {
  auto& st = self->state;
  message_record m;
  m.seq = ++st.last_seq;
  m.sender = sender;
  m.kind = std::string{kind};
  m.at = std::max(now_ms(), st.last_at);
  return m;
}

/// Adds `entry` and moves every member's activity entry to its time (`also` are members that
/// had none yet; `gone` lose theirs).
void append_entry(chat_channel_actor* self, storage::write_set& writes, const message_record& entry,
                  const std::vector<uint64_t>& also = {}, const std::vector<uint64_t>& gone = {}) {
  auto& st = self->state;
  messaging::messaging_repository::put_message(writes, st.record.id, entry);
  for (auto m : st.record.members) {
    const bool is_new = std::find(also.begin(), also.end(), m) != also.end();
    messaging::messaging_repository::move_activity(writes, m, st.record.id, is_new ? 0 : st.last_at, entry.at);
  }
  for (auto g : gone)
    messaging::messaging_repository::erase_activity(writes, g, st.record.id, st.last_at);
  st.last_at = entry.at;
}

bytes conversation_result(chat_channel_actor* self, uint64_t viewer) {
  auto& st = self->state;
  auto read = read_marker(self, viewer);
  std::vector<std::pair<uint64_t, uint64_t>> markers;
  markers.reserve(st.record.members.size());
  for (auto member : st.record.members)
    markers.emplace_back(member, read_marker(self, member));
  return conversation_view(*st.accounts, st.record, st.last_seq, read,
                           st.repository->unread(st.record.id, viewer, read, unread_cap), markers);
}

bytes send_result(uint64_t seq, int64_t at, bool duplicate) {
  msgpack::sbuffer buffer;
  im_packer pk(buffer);
  pk.pack_map(3);
  pk.pack("seq");
  pk.pack(seq);
  pk.pack("at");
  pk.pack(at);
  pk.pack("duplicate");
  pk.pack(duplicate);
  return packed_of(buffer);
}

/// Writes, then (once durable) answers and pushes `entry` to the members as `im.message`.
caf::result<bytes> commit_entry(chat_channel_actor* self, storage::write_set writes, message_record entry,
                                std::function<bytes()> answer, std::vector<uint64_t> extra_audience = {}) {
  auto rp = self->make_response_promise<bytes>();
  store_write(
    self, std::move(writes),
    [self, rp, entry = std::move(entry), answer = std::move(answer), extra = std::move(extra_audience)]() mutable {
        auto& st = self->state;
        std::vector<uint64_t> audience = st.record.members;
        audience.insert(audience.end(), extra.begin(), extra.end());
        deliver(self, std::move(audience), "im.message", message_event(st.record.id, entry));
        rp.deliver(answer());
      },
    [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<bytes> handle_send(chat_channel_actor* self, im_command& cmd) {
  auto& st = self->state;
  std::pair<uint64_t, std::string> key{cmd.user, cmd.client_id};
  if (auto it = st.pending.find(key); it != st.pending.end()) {
    auto rp = self->make_response_promise<bytes>();
    it->second.promises.push_back(rp);
    return rp;
  }
  if (auto seq = st.repository->find_client_id(st.record.id, cmd.user, cmd.client_id)) {
    auto stored = st.repository->find_message(st.record.id, *seq);
    return send_result(*seq, stored ? stored->at : 0, true);
  }
  std::optional<messaging::image_record> image;
  if (cmd.kind == kinds::image) {
    image = st.repository->find_image(cmd.file_id);
    if (!image || image->conversation != st.record.id)
      return refuse(error_code::not_found, "no image with that file_id in this conversation; upload it first");
  }
  auto entry = next_entry(self, cmd.user, cmd.kind);
  entry.client_id = cmd.client_id;
  entry.text = std::move(cmd.text);
  if (image) {
    entry.file_id = image->id;
    entry.mime = image->mime;
    entry.size = image->size;
  } else if (cmd.kind == kinds::invite) {
    entry.meeting_id = std::move(cmd.data);
    entry.join_url = "/j/" + entry.meeting_id;
  }
  storage::write_set writes;
  append_entry(self, writes, entry);
  messaging::messaging_repository::put_client_id(writes, st.record.id, cmd.user, cmd.client_id, entry.seq);
  auto& waiting = st.pending[key];
  waiting.seq = entry.seq;
  waiting.at = entry.at;
  auto rp = self->make_response_promise<bytes>();
  waiting.promises.push_back(rp);
  store_write(
    self, std::move(writes),
      [self, key, entry]() {
        // Answer first: the answer goes straight into the sender's mailbox, the message reaches it
        // later through the directory and its inbox, so the sender sees the ack before its echo.
        auto& st = self->state;
        if (auto it = st.pending.find(key); it != st.pending.end()) {
          auto promises = std::move(it->second.promises);
          st.pending.erase(it);
          for (size_t i = 0; i < promises.size(); ++i)
            promises[i].deliver(send_result(entry.seq, entry.at, i > 0));
        }
        deliver_to_members(self, "im.message", message_event(st.record.id, entry));
      },
      [self, key](caf::error& err) {
        auto& st = self->state;
        auto it = st.pending.find(key);
        if (it == st.pending.end())
          return;
        auto promises = std::move(it->second.promises);
        st.pending.erase(it);
        for (auto& p : promises)
          p.deliver(err);
      });
  return rp;
}

/// The sender's own, not deleted, entry `seq` of kind text/invite (edit) or any content (delete).
caf::expected<message_record> own_message(chat_channel_actor* self, const im_command& cmd, bool editing) {
  auto& st = self->state;
  auto target = st.repository->find_message(st.record.id, cmd.seq);
  if (!target || !(target->kind == kinds::text || target->kind == kinds::image || target->kind == kinds::invite))
    return refuse(error_code::not_found, "no message with that seq in this conversation");
  if (target->sender != cmd.user)
    return refuse(error_code::forbidden, "only the sender may edit or delete a message");
  if (target->deleted)
    return refuse(error_code::conflict, "that message was deleted");
  if (editing && target->kind == kinds::image)
    return refuse(error_code::bad_request, "images cannot be edited; delete and send again");
  return std::move(*target);
}

caf::result<bytes> handle_edit(chat_channel_actor* self, im_command& cmd) {
  auto target = own_message(self, cmd, true);
  if (!target)
    return std::move(target.error());
  auto entry = next_entry(self, cmd.user, kinds::edit);
  entry.target = target->seq;
  entry.text = cmd.text;
  target->text = std::move(cmd.text);
  target->edited_at = entry.at;
  storage::write_set writes;
  messaging::messaging_repository::put_message(writes, self->state.record.id, *target);
  append_entry(self, writes, entry);
  return commit_entry(self, std::move(writes), entry, [seq = entry.seq, at = entry.at] { return send_result(seq, at, false); });
}

caf::result<bytes> handle_delete(chat_channel_actor* self, im_command& cmd) {
  auto target = own_message(self, cmd, false);
  if (!target)
    return std::move(target.error());
  auto entry = next_entry(self, cmd.user, kinds::remove);
  entry.target = target->seq;
  storage::write_set writes;
  if (target->file_id != 0) { // the picture goes with its message
    writes.erase(storage::column_family::files, messaging::keys::image(target->file_id));
    writes.erase(storage::column_family::files, messaging::keys::image_bytes(target->file_id));
  }
  target->deleted = true;
  target->text.clear();
  target->file_id = 0;
  target->meeting_id.clear();
  target->join_url.clear();
  messaging::messaging_repository::put_message(writes, self->state.record.id, *target);
  append_entry(self, writes, entry);
  return commit_entry(self, std::move(writes), entry, [seq = entry.seq, at = entry.at] { return send_result(seq, at, false); });
}

bytes page_result(const std::vector<message_record>& messages, bool more, uint64_t last_seq) {
  msgpack::sbuffer buffer;
  im_packer pk(buffer);
  pk.pack_map(3);
  pk.pack("messages");
  pk.pack_array(static_cast<uint32_t>(messages.size()));
  for (const auto& m : messages)
    pack_message(pk, m);
  pk.pack("more");
  pk.pack(more);
  pk.pack("last_seq");
  pk.pack(last_seq);
  return packed_of(buffer);
}

caf::result<bytes> handle_history(chat_channel_actor* self, const im_command& cmd) {
  auto& st = self->state;
  const size_t limit = std::min<size_t>(cmd.limit == 0 ? 50 : cmd.limit, max_page);
  auto page = st.repository->before(st.record.id, cmd.seq, limit);
  const bool more = page.size() == limit && page.front().seq > 1;
  return page_result(page, more, st.last_seq);
}

caf::result<bytes> handle_sync(chat_channel_actor* self, const im_command& cmd) {
  auto& st = self->state;
  const size_t limit = std::min<size_t>(cmd.limit == 0 ? max_sync : cmd.limit, max_sync);
  auto page = st.repository->after(st.record.id, cmd.seq, limit);
  const bool more = page.size() == limit && page.back().seq < st.last_seq;
  return page_result(page, more, st.last_seq);
}

caf::result<bytes> handle_read(chat_channel_actor* self, const im_command& cmd) {
  auto& st = self->state;
  auto seq = std::min(cmd.seq, st.last_seq);
  auto current = read_marker(self, cmd.user);
  auto answer = [](uint64_t s) {
    msgpack::sbuffer buffer;
    im_packer pk(buffer);
    pk.pack_map(1);
    pk.pack("read_seq");
    pk.pack(s);
    return packed_of(buffer);
  };
  if (seq <= current)
    return answer(current);
  st.read[cmd.user] = seq;
  storage::write_set writes;
  messaging::messaging_repository::put_read_marker(writes, cmd.user, st.record.id, seq);
  auto rp = self->make_response_promise<bytes>();
  store_write(
    self, std::move(writes),
      [self, rp, seq, user = cmd.user, answer]() mutable {
        msgpack::sbuffer buffer;
        im_packer pk(buffer);
        pk.pack_map(3);
        pk.pack("conversation_id");
        pk.pack(accounts::id_to_hex(self->state.record.id));
        pk.pack("user_id");
        pk.pack(accounts::id_to_hex(user));
        pk.pack("seq");
        pk.pack(seq);
        deliver_to_members(self, "im.read", packed_of(buffer));
        rp.deliver(answer(seq));
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<bytes> handle_typing(chat_channel_actor* self, const im_command& cmd) {
  msgpack::sbuffer buffer;
  im_packer pk(buffer);
  pk.pack_map(3);
  pk.pack("conversation_id");
  pk.pack(accounts::id_to_hex(self->state.record.id));
  pk.pack("user_id");
  pk.pack(accounts::id_to_hex(cmd.user));
  pk.pack("typing");
  pk.pack(cmd.flag);
  deliver_to_members(self, "im.typing", packed_of(buffer), cmd.user);
  return protocol::empty_map();
}

/// Membership and name changes: a new record, an `event` entry, and `im.conversation` to everyone concerned.
caf::result<bytes> change_group(chat_channel_actor* self, const im_command& cmd, messaging::conversation_record next,
                                std::string action, std::vector<uint64_t> subjects, std::vector<uint64_t> added,
                                std::vector<uint64_t> gone) {
  auto& st = self->state;
  auto entry = next_entry(self, cmd.user, kinds::event);
  entry.action = std::move(action);
  entry.subjects = std::move(subjects);
  if (entry.action == "renamed")
    entry.text = next.name;
  st.record = std::move(next);
  storage::write_set writes;
  messaging::messaging_repository::put_conversation(writes, st.record);
  append_entry(self, writes, entry, added, gone);
  auto user = cmd.user;
  return commit_entry(
    self, std::move(writes), entry,
    [self, user, gone] {
      auto& st = self->state;
      msgpack::sbuffer buffer;
      im_packer pk(buffer);
      pack_conversation(pk, *st.accounts, st.record);
      deliver_to_members(self, "im.conversation", packed_of(buffer));
      if (!gone.empty()) {
        msgpack::sbuffer removed;
        im_packer rpk(removed);
        rpk.pack_map(1);
        rpk.pack("conversation_id");
        rpk.pack(accounts::id_to_hex(st.record.id));
        deliver(self, gone, "im.removed", packed_of(removed));
      }
      if (!st.record.has_member(user))
        return protocol::empty_map();
      return conversation_result(self, user);
    },
    gone);
}

caf::result<bytes> handle_group_op(chat_channel_actor* self, const im_command& cmd) {
  auto& st = self->state;
  if (!st.record.is_group())
    return refuse(error_code::bad_request, "a 1:1 conversation has no name or member changes; create a group");
  const bool owner = st.record.owner == cmd.user;
  auto next = st.record;
  if (cmd.op == "im.conversation.leave") {
    next.members.erase(std::remove(next.members.begin(), next.members.end(), cmd.user), next.members.end());
    if (owner)
      next.owner = next.members.empty() ? 0 : next.members.front(); // the longest-standing member takes over
    return change_group(self, cmd, std::move(next), "left", {cmd.user}, {}, {cmd.user});
  }
  if (!owner)
    return refuse(error_code::forbidden, "only the group's owner may do that");
  if (cmd.op == "im.conversation.rename") {
    next.name = cmd.text;
    return change_group(self, cmd, std::move(next), "renamed", {}, {}, {});
  }
  if (cmd.op == "im.conversation.add_members") {
    std::vector<uint64_t> added;
    for (auto u : cmd.users) {
      if (next.has_member(u) || std::find(added.begin(), added.end(), u) != added.end())
        continue;
      auto account = st.accounts->find_by_id(u);
      if (!account || account->disabled)
        return refuse(error_code::not_found, "no user with id " + accounts::id_to_hex(u));
      added.push_back(u);
    }
    if (added.empty())
      return conversation_result(self, cmd.user);
    if (next.members.size() + added.size() > messaging::max_group_members)
      return refuse(error_code::conflict,
                    "a group has at most " + std::to_string(messaging::max_group_members) + " members");
    next.members.insert(next.members.end(), added.begin(), added.end());
    auto subjects = added;
    return change_group(self, cmd, std::move(next), "added", std::move(subjects), std::move(added), {});
  }
  // im.conversation.remove_member
  if (cmd.users.size() != 1 || !next.has_member(cmd.users.front()))
    return refuse(error_code::not_found, "that user is not a member of this group");
  auto gone = cmd.users.front();
  if (gone == cmd.user)
    return refuse(error_code::bad_request, "use im.conversation.leave to leave a group");
  next.members.erase(std::remove(next.members.begin(), next.members.end(), gone), next.members.end());
  return change_group(self, cmd, std::move(next), "removed", {gone}, {}, {gone});
}

caf::result<bytes> handle_upload(chat_channel_actor* self, im_command& cmd) {
  auto& st = self->state;
  messaging::image_record image;
  image.id = accounts::random_id();
  image.conversation = st.record.id;
  image.uploader = cmd.user;
  image.mime = cmd.mime;
  image.size = cmd.data.size();
  image.at = now_ms();
  storage::write_set writes;
  messaging::messaging_repository::put_image(writes, image, std::move(cmd.data));
  auto rp = self->make_response_promise<bytes>();
  store_write(
    self, std::move(writes),
      [rp, image]() mutable {
        msgpack::sbuffer buffer;
        im_packer pk(buffer);
        pk.pack_map(3);
        pk.pack("file_id");
        pk.pack(accounts::id_to_hex(image.id));
        pk.pack("mime");
        pk.pack(image.mime);
        pk.pack("size");
        pk.pack(image.size);
        rp.deliver(packed_of(buffer));
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<bytes> handle_image_get(chat_channel_actor* self, const im_command& cmd) {
  auto& st = self->state;
  auto image = st.repository->find_image(cmd.file_id);
  auto data = image && image->conversation == st.record.id ? st.repository->image_bytes(cmd.file_id) : std::nullopt;
  if (!data)
    return refuse(error_code::not_found, "no such image in this conversation");
  msgpack::sbuffer buffer;
  im_packer pk(buffer);
  pk.pack_map(2);
  pk.pack("mime");
  pk.pack(image->mime);
  pk.pack("data");
  pk.pack_bin(static_cast<uint32_t>(data->size()));
  pk.pack_bin_body(data->data(), static_cast<uint32_t>(data->size()));
  return packed_of(buffer);
}

caf::result<bytes> handle_command(chat_channel_actor* self, im_command& cmd) {
  auto& st = self->state;
  if (!st.record.has_member(cmd.user))
    return refuse(error_code::forbidden, "you are not a member of this conversation");
  const auto& op = cmd.op;
  if (op == "im.send")
    return handle_send(self, cmd);
  if (op == "im.edit")
    return handle_edit(self, cmd);
  if (op == "im.delete")
    return handle_delete(self, cmd);
  if (op == "im.history")
    return handle_history(self, cmd);
  if (op == "im.sync")
    return handle_sync(self, cmd);
  if (op == "im.read")
    return handle_read(self, cmd);
  if (op == "im.typing")
    return handle_typing(self, cmd);
  if (op == "im.conversation.get")
    return conversation_result(self, cmd.user);
  if (op == "image.upload")
    return handle_upload(self, cmd);
  if (op == "image.get")
    return handle_image_get(self, cmd);
  if (op == "im.conversation.rename" || op == "im.conversation.add_members" || op == "im.conversation.remove_member"
      || op == "im.conversation.leave")
    return handle_group_op(self, cmd);
  return refuse(error_code::unknown_op, "unknown conversation op '" + op + "'");
}

void arm_idle_check(chat_channel_actor* self, std::chrono::milliseconds after) {
  self->delayed_send(self, std::max(after, std::chrono::milliseconds{1}), im_tick_atom::value);
}

/// After the idle period without a command or a write in flight, the channel offers to retire; the
/// directory agrees only if no command is on its way here (see im_idle_atom), so nothing is lost.
void check_idle(chat_channel_actor* self) {
  auto& st = self->state;
  const std::chrono::milliseconds idle{st.ctx->messaging.channel_idle_ms};
  auto quiet = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - st.last_busy);
  if (quiet < idle || st.writes_in_flight > 0 || !st.pending.empty()) {
    arm_idle_check(self, idle - std::min(quiet, idle) + std::chrono::milliseconds{1});
    return;
  }
  self->request(st.directory, store_timeout, im_idle_atom::value, st.record.id, st.commands)
    .then(
      [self, idle](bool retire) {
        if (!retire) {
          arm_idle_check(self, idle);
          return;
        }
        if (self->state.ctx->metrics)
          self->state.ctx->metrics->im_channels_retired.add();
        self->quit();
      },
      [self, idle](caf::error&) { arm_idle_check(self, idle); });
}

caf::behavior chat_channel(chat_channel_actor* self, std::shared_ptr<const node_context> ctx, caf::actor store,
                           caf::actor directory, messaging::conversation_record record) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.store = std::move(store);
  st.directory = std::move(directory);
  st.repository = std::make_unique<messaging::messaging_repository>(*st.ctx->db);
  st.accounts = std::make_unique<accounts::account_repository>(*st.ctx->db);
  st.record = std::move(record);
  if (auto last = st.repository->last_message(st.record.id)) {
    st.last_seq = last->seq;
    st.last_at = last->at;
  } else
    st.last_at = st.record.created_at;
  arm_idle_check(self, std::chrono::milliseconds{st.ctx->messaging.channel_idle_ms});
  return {
    [self](im_command_atom, im_command& cmd) {
      ++self->state.commands;
      self->state.last_busy = std::chrono::steady_clock::now();
      return handle_command(self, cmd);
    },
    [self](im_tick_atom) { check_idle(self); },
  };
}

} // namespace

caf::actor spawn_chat_channel(caf::local_actor* parent, std::shared_ptr<const node_context> ctx, caf::actor store,
                              caf::actor directory, messaging::conversation_record record) {
  return parent->spawn<caf::linked>(chat_channel, std::move(ctx), std::move(store), std::move(directory),
                                    std::move(record));
}

} // namespace parley::actors
