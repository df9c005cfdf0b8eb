// How a user appears on the wire: {id, username, display_name, is_admin}.
#pragma once

#include <msgpack.hpp>

#include "accounts/access_token.hpp"
#include "accounts/user_record.hpp"

namespace parley::actors {

template <class Stream>
void pack_user(msgpack::packer<Stream>& pk, const accounts::user_profile& user) {
  pk.pack_map(4);
  pk.pack("id");
  pk.pack(accounts::id_to_hex(user.id));
  pk.pack("username");
  pk.pack(user.username);
  pk.pack("display_name");
  pk.pack(user.display_name);
  pk.pack("is_admin");
  pk.pack(user.is_admin);
}

} // namespace parley::actors
