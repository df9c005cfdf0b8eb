// Messaging directory: conversation id → chat channel, user id → inbox and presence; creation of conversations.
#include "actors/account_closing_messages.hpp"
#include "actors/messaging_directory.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>

#include <caf/all.hpp>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "actors/chat_channel.hpp"
#include "actors/inbox.hpp"
#include "actors/messaging_codec.hpp"
#include "actors/messaging_messages.hpp"
#include "actors/service_error.hpp"
#include "messaging/messaging_repository.hpp"
#include "storage/store_messages.hpp"

namespace parley::actors {

namespace {

using bytes = std::vector<uint8_t>;
using protocol::error_code;
using messaging::conversation_record;
constexpr auto store_timeout = std::chrono::seconds{30};
constexpr size_t presence_audience_conversations = 200;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct online_user {
  caf::actor inbox;
  size_t connections = 0;
  std::string status = "online";
};

/// A live chat channel and how many commands the directory has routed to it (see im_idle_atom).
struct channel_entry {
  caf::actor actor;
  uint64_t routed = 0;
};

struct messaging_directory_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  std::unique_ptr<messaging::messaging_repository> repository;
  std::unique_ptr<accounts::account_repository> accounts;
  std::unordered_map<uint64_t, channel_entry> channels;
  // 1:1 conversations being written: later asks for the same pair wait for the first.
  std::map<std::pair<uint64_t, uint64_t>, std::vector<std::pair<uint64_t, caf::response_promise>>> creating;
  std::unordered_map<uint64_t, online_user> online;
  std::unordered_map<caf::actor_addr, uint64_t> session_users;
  static inline const char* name = "parley.messaging_directory";
};

using messaging_directory_actor = caf::stateful_actor<messaging_directory_state>;

caf::actor self_handle(messaging_directory_actor* self) {
  return caf::actor_cast<caf::actor>(self);
}

channel_entry* channel_for(messaging_directory_actor* self, uint64_t id, const conversation_record* known = nullptr) {
  auto& st = self->state;
  if (auto it = st.channels.find(id); it != st.channels.end())
    return &it->second;
  std::optional<conversation_record> record;
  if (known)
    record = *known;
  else
    record = st.repository->find_conversation(id);
  if (!record)
    return nullptr;
  auto channel = spawn_chat_channel(self, st.ctx, st.store, self_handle(self), std::move(*record));
  return &st.channels.emplace(id, channel_entry{std::move(channel), 0}).first->second;
}

/// Asks the channel for `viewer`'s view of the conversation and hands it to `rp`.
void answer_view(messaging_directory_actor* self, caf::response_promise rp, channel_entry& channel,
                 uint64_t conversation, uint64_t viewer) {
  im_command get;
  get.op = "im.conversation.get";
  get.conversation = conversation;
  get.user = viewer;
  ++channel.routed;
  rp.delegate(channel.actor, im_command_atom::value, std::move(get));
  (void)self;
}

caf::result<bytes> handle_route(messaging_directory_actor* self, im_command& cmd) {
  auto channel = channel_for(self, cmd.conversation);
  if (!channel)
    return make_service_error(error_code::not_found, "no conversation with that id");
  auto rp = self->make_response_promise();
  ++channel->routed;
  rp.delegate(channel->actor, im_command_atom::value, std::move(cmd));
  return rp;
}

bool usable_account(messaging_directory_actor* self, uint64_t user) {
  auto account = self->state.accounts->find_by_id(user);
  return account && !account->disabled;
}

caf::result<bytes> handle_direct(messaging_directory_actor* self, uint64_t user, uint64_t peer) {
  auto& st = self->state;
  if (user == peer)
    return make_service_error(error_code::bad_request, "a 1:1 conversation needs another person");
  if (!usable_account(self, peer))
    return make_service_error(error_code::not_found, "no user with that id");
  auto rp = self->make_response_promise();
  if (auto existing = st.repository->find_direct(user, peer)) {
    if (auto* channel = channel_for(self, *existing)) {
      answer_view(self, rp, *channel, *existing, user);
      return rp;
    }
  }
  const std::pair<uint64_t, uint64_t> pair{std::min(user, peer), std::max(user, peer)};
  auto [it, first] = st.creating.try_emplace(pair);
  it->second.emplace_back(user, rp);
  if (!first)
    return rp;
  conversation_record record;
  record.id = accounts::random_id();
  record.kind = static_cast<uint8_t>(messaging::conversation_kind::direct);
  record.members = {user, peer};
  record.created_at = now_ms();
  storage::write_set writes;
  messaging::messaging_repository::put_conversation(writes, record);
  messaging::messaging_repository::put_direct(writes, user, peer, record.id);
  for (auto m : record.members)
    messaging::messaging_repository::move_activity(writes, m, record.id, 0, record.created_at);
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then(
      [self, pair, record](caf::ok_atom) {
        auto& st = self->state;
        auto waiting = std::move(st.creating[pair]);
        st.creating.erase(pair);
        auto* channel = channel_for(self, record.id, &record);
        for (auto& [viewer, promise] : waiting)
          answer_view(self, promise, *channel, record.id, viewer);
      },
      [self, pair](caf::error& err) {
        auto& st = self->state;
        auto waiting = std::move(st.creating[pair]);
        st.creating.erase(pair);
        for (auto& entry : waiting)
          entry.second.deliver(err);
      });
  return rp;
}

caf::result<bytes> handle_group(messaging_directory_actor* self, const im_command& cmd) {
  auto& st = self->state;
  conversation_record record;
  record.id = accounts::random_id();
  record.kind = static_cast<uint8_t>(messaging::conversation_kind::group);
  record.name = cmd.text;
  record.owner = cmd.user;
  record.members.push_back(cmd.user);
  for (auto u : cmd.users) {
    if (record.has_member(u))
      continue;
    if (!usable_account(self, u))
      return make_service_error(error_code::not_found, "no user with id " + accounts::id_to_hex(u));
    record.members.push_back(u);
  }
  if (record.members.size() > messaging::max_group_members)
    return make_service_error(error_code::conflict, "a group has at most "
                                                      + std::to_string(messaging::max_group_members) + " members");
  record.created_at = now_ms();
  messaging::message_record created;
  created.seq = 1;
  created.sender = cmd.user;
  created.kind = std::string{messaging::kinds::event};
  created.action = "created";
  created.text = record.name;
  created.subjects = record.members;
  created.at = record.created_at;
  storage::write_set writes;
  messaging::messaging_repository::put_conversation(writes, record);
  messaging::messaging_repository::put_message(writes, record.id, created);
  for (auto m : record.members)
    messaging::messaging_repository::move_activity(writes, m, record.id, 0, record.created_at);
  auto rp = self->make_response_promise();
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then(
      [self, rp, record, created, owner = cmd.user](caf::ok_atom) mutable {
        auto& st = self->state;
        auto* channel = channel_for(self, record.id, &record);
        msgpack::sbuffer buffer;
        im_packer pk(buffer);
        pack_conversation(pk, *st.accounts, record);
        auto data = packed_of(buffer);
        for (auto m : record.members)
          if (auto it = st.online.find(m); it != st.online.end()) {
            self->send(it->second.inbox, im_event_atom::value, std::string{"im.conversation"}, data);
            self->send(it->second.inbox, im_event_atom::value, std::string{"im.message"},
                       message_event(record.id, created));
          }
        answer_view(self, rp, *channel, record.id, owner);
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

/// The users who share a conversation with `user` (its most recent ones), who see its presence.
std::vector<uint64_t> presence_audience(messaging_directory_actor* self, uint64_t user) {
  auto& st = self->state;
  std::set<uint64_t> audience;
  for (auto [conversation, at] : st.repository->by_activity(user, presence_audience_conversations)) {
    (void)at;
    if (auto record = st.repository->find_conversation(conversation))
      for (auto m : record->members)
        if (m != user && st.online.count(m))
          audience.insert(m);
  }
  return {audience.begin(), audience.end()};
}

void publish_presence(messaging_directory_actor* self, uint64_t user, const std::string& status) {
  auto& st = self->state;
  msgpack::sbuffer buffer;
  im_packer pk(buffer);
  pk.pack_map(2);
  pk.pack("user_id");
  pk.pack(accounts::id_to_hex(user));
  pk.pack("status");
  pk.pack(status);
  auto data = packed_of(buffer);
  for (auto m : presence_audience(self, user))
    self->send(st.online[m].inbox, im_event_atom::value, std::string{"presence.changed"}, data);
}

void handle_attach(messaging_directory_actor* self, uint64_t user, const caf::actor& session) {
  auto& st = self->state;
  if (!session || st.session_users.count(session.address()))
    return;
  self->monitor(session);
  st.session_users.emplace(session.address(), user);
  auto [it, first] = st.online.try_emplace(user);
  if (first)
    it->second.inbox = spawn_inbox(self, user);
  ++it->second.connections;
  self->send(it->second.inbox, im_attach_atom::value, user, session);
  if (first)
    publish_presence(self, user, "online");
}

void handle_session_down(messaging_directory_actor* self, const caf::actor_addr& session) {
  auto& st = self->state;
  auto found = st.session_users.find(session);
  if (found == st.session_users.end())
    return;
  auto user = found->second;
  st.session_users.erase(found);
  auto it = st.online.find(user);
  if (it == st.online.end() || --it->second.connections > 0)
    return;
  self->send(it->second.inbox, im_retire_atom::value);
  st.online.erase(it);
  publish_presence(self, user, "offline");
}

caf::behavior messaging_directory(messaging_directory_actor* self, std::shared_ptr<const node_context> ctx,
                                  caf::actor store) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.store = std::move(store);
  st.repository = std::make_unique<messaging::messaging_repository>(*st.ctx->db);
  st.accounts = std::make_unique<accounts::account_repository>(*st.ctx->db);
  self->set_down_handler([self](caf::down_msg& msg) { handle_session_down(self, msg.source); });
  // Channels and inboxes are linked. A retired inbox ends normally; a channel that failed is
  // forgotten (the next op activates a fresh one from storage). Anything else is the node
  // shutting down and takes the directory, and through the links its children, with it.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    for (auto it = st.channels.begin(); it != st.channels.end(); ++it)
      if (it->second.actor.address() == msg.source) {
        st.channels.erase(it);
        return;
      }
    for (const auto& online : st.online)
      if (online.second.inbox.address() == msg.source)
        return; // the user's connections stay attached to nothing until they reconnect
    if (msg.reason == caf::exit_reason::normal)
      return; // a retired inbox
    self->quit(msg.reason);
  });
  return {
    [self](im_route_atom, im_command& cmd) { return handle_route(self, cmd); },
    [self](im_direct_atom, uint64_t user, uint64_t peer) { return handle_direct(self, user, peer); },
    [self](im_group_atom, const im_command& cmd) { return handle_group(self, cmd); },
    [self](im_idle_atom, uint64_t conversation, uint64_t commands) {
      // Only the live channel of that conversation, and only when no routed command is still on its way.
      auto& channels = self->state.channels;
      auto it = channels.find(conversation);
      if (it == channels.end() || it->second.actor.address() != caf::actor_cast<caf::actor_addr>(self->current_sender())
          || it->second.routed != commands)
        return false;
      channels.erase(it);
      return true;
    },
    [self](im_attach_atom, uint64_t user, const caf::actor& session) { handle_attach(self, user, session); },
    [self](im_close_atom, uint64_t user, const std::string& reason, const std::string& message) {
      if (auto it = self->state.online.find(user); it != self->state.online.end())
        self->send(it->second.inbox, im_close_atom::value, reason, message);
    },
    [self](im_deliver_atom, const std::vector<uint64_t>& users, const std::string& name, const bytes& data) {
      auto& online = self->state.online;
      for (auto u : users)
        if (auto it = online.find(u); it != online.end())
          self->send(it->second.inbox, im_event_atom::value, name, data);
    },
    [self](im_presence_atom, uint64_t user, const std::string& status) {
      auto it = self->state.online.find(user);
      if (it == self->state.online.end() || it->second.status == status)
        return;
      it->second.status = status;
      publish_presence(self, user, status);
    },
    [self](im_presence_get_atom, const std::vector<uint64_t>& users) {
      std::vector<std::string> statuses;
      statuses.reserve(users.size());
      for (auto u : users) {
        auto it = self->state.online.find(u);
        statuses.push_back(it == self->state.online.end() ? "offline" : it->second.status);
      }
      return statuses;
    },
  };
}

} // namespace

caf::actor spawn_messaging_directory(caf::actor_system& system, std::shared_ptr<const node_context> ctx,
                                     caf::actor store) {
  return system.spawn(messaging_directory, std::move(ctx), std::move(store));
}

} // namespace parley::actors
