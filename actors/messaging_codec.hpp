// How conversations, timeline entries and IM events appear on the wire (msgpack maps).
#pragma once

#include <utility>
#include <vector>

#include <msgpack.hpp>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "messaging/conversation_record.hpp"
#include "messaging/message_record.hpp"
#include "protocol/envelope.hpp"

namespace parley::actors {

using im_packer = msgpack::packer<msgpack::sbuffer>;

inline protocol::packed packed_of(const msgpack::sbuffer& buffer) {
  return protocol::packed(buffer.data(), buffer.data() + buffer.size());
}

/// {user_id, username, display_name}; a deleted account shows its id only.
inline void pack_person(im_packer& pk, const accounts::account_repository& accounts, uint64_t user) {
  auto found = accounts.find_by_id(user);
  pk.pack_map(3);
  pk.pack("user_id");
  pk.pack(accounts::id_to_hex(user));
  pk.pack("username");
  pk.pack(found ? found->username : std::string{});
  pk.pack("display_name");
  pk.pack(found ? found->display_name : std::string{});
}

/// {conversation_id, kind: direct|group, name, owner_id?, members: [person], created_at}
inline void pack_conversation(im_packer& pk, const accounts::account_repository& accounts,
                              const messaging::conversation_record& c) {
  pk.pack_map(c.is_group() ? 6 : 5);
  pk.pack("conversation_id");
  pk.pack(accounts::id_to_hex(c.id));
  pk.pack("kind");
  pk.pack(c.is_group() ? "group" : "direct");
  pk.pack("name");
  pk.pack(c.name);
  if (c.is_group()) {
    pk.pack("owner_id");
    pk.pack(accounts::id_to_hex(c.owner));
  }
  pk.pack("members");
  pk.pack_array(static_cast<uint32_t>(c.members.size()));
  for (auto member : c.members)
    pack_person(pk, accounts, member);
  pk.pack("created_at");
  pk.pack(c.created_at);
}

/// {seq, kind, sender_id, at, client_id?, text?, edited_at?, deleted?, target_seq?, file_id?, mime?, size?,
///  meeting_id?, join_url?, action?, subject_ids?}: only the fields the kind uses.
inline void pack_message(im_packer& pk, const messaging::message_record& m) {
  namespace kinds = messaging::kinds;
  const bool image = m.kind == kinds::image && !m.deleted;
  const bool invite = m.kind == kinds::invite && !m.deleted;
  const bool has_text = !m.deleted && !m.text.empty();
  const bool targets = m.kind == kinds::edit || m.kind == kinds::remove;
  const bool event = m.kind == kinds::event;
  uint32_t fields = 4 + (m.client_id.empty() ? 0 : 1) + (has_text ? 1 : 0) + (m.edited_at ? 1 : 0)
                    + (m.deleted ? 1 : 0) + (targets ? 1 : 0) + (image ? 3 : 0) + (invite ? 2 : 0) + (event ? 2 : 0);
  pk.pack_map(fields);
  pk.pack("seq");
  pk.pack(m.seq);
  pk.pack("kind");
  pk.pack(m.kind);
  pk.pack("sender_id");
  pk.pack(accounts::id_to_hex(m.sender));
  pk.pack("at");
  pk.pack(m.at);
  if (!m.client_id.empty()) {
    pk.pack("client_id");
    pk.pack(m.client_id);
  }
  if (has_text) {
    pk.pack("text");
    pk.pack(m.text);
  }
  if (m.edited_at) {
    pk.pack("edited_at");
    pk.pack(m.edited_at);
  }
  if (m.deleted) {
    pk.pack("deleted");
    pk.pack(true);
  }
  if (targets) {
    pk.pack("target_seq");
    pk.pack(m.target);
  }
  if (image) {
    pk.pack("file_id");
    pk.pack(accounts::id_to_hex(m.file_id));
    pk.pack("mime");
    pk.pack(m.mime);
    pk.pack("size");
    pk.pack(m.size);
  }
  if (invite) {
    pk.pack("meeting_id");
    pk.pack(m.meeting_id);
    pk.pack("join_url");
    pk.pack(m.join_url);
  }
  if (event) {
    pk.pack("action");
    pk.pack(m.action);
    pk.pack("subject_ids");
    pk.pack_array(static_cast<uint32_t>(m.subjects.size()));
    for (auto s : m.subjects)
      pk.pack(accounts::id_to_hex(s));
  }
}

/// The `im.message` event: {conversation_id, message}.
inline protocol::packed message_event(uint64_t conversation, const messaging::message_record& m) {
  msgpack::sbuffer buffer;
  im_packer pk(buffer);
  pk.pack_map(2);
  pk.pack("conversation_id");
  pk.pack(accounts::id_to_hex(conversation));
  pk.pack("message");
  pack_message(pk, m);
  return packed_of(buffer);
}

/// {conversation, last_seq, read_seq, unread, read_markers: {user_id: seq}}: a conversation as one member
/// sees it, with every member's read marker (for read receipts after a reconnect).
inline protocol::packed conversation_view(const accounts::account_repository& accounts,
                                          const messaging::conversation_record& c, uint64_t last_seq,
                                          uint64_t read_seq, uint64_t unread,
                                          const std::vector<std::pair<uint64_t, uint64_t>>& read_markers) {
  msgpack::sbuffer buffer;
  im_packer pk(buffer);
  pk.pack_map(5);
  pk.pack("conversation");
  pack_conversation(pk, accounts, c);
  pk.pack("last_seq");
  pk.pack(last_seq);
  pk.pack("read_seq");
  pk.pack(read_seq);
  pk.pack("unread");
  pk.pack(unread);
  pk.pack("read_markers");
  pk.pack_map(static_cast<uint32_t>(read_markers.size()));
  for (const auto& [user, seq] : read_markers) {
    pk.pack(accounts::id_to_hex(user));
    pk.pack(seq);
  }
  return packed_of(buffer);
}

} // namespace parley::actors
