// Session side of meetings: validate and decode args, ask the directory or the meeting, answer.
// Authorisation of in-meeting ops happens in the meeting actor; record ops check the host here
// against the stored record before the directory writes.
#include "actors/meeting_ops.hpp"

#include <chrono>

#include <caf/all.hpp>

#include "accounts/account_repository.hpp"
#include "actors/directory.hpp"
#include "actors/meeting_codec.hpp"
#include "actors/meeting_messages.hpp"
#include "actors/service_error.hpp"
#include "actors/supervisor.hpp"
#include "meetings/meeting_id.hpp"
#include "meetings/meeting_password.hpp"
#include "meetings/meeting_repository.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
using meetings::meeting_record;
constexpr auto ask_timeout = std::chrono::seconds{15};
/// chat.send waits for the meeting's chat write in flight and then its own (each up to the
/// meeting's 30 s store timeout): a shorter wait could report a timeout for a message that then
/// lands and is delivered.
constexpr auto chat_send_timeout = std::chrono::seconds{75};
constexpr size_t max_topic = 200;
constexpr size_t max_chat_text = 4096;

void reply_caf_error(session_actor* self, std::optional<uint64_t> id, const caf::error& err) {
  auto client = to_client_error(err);
  self->state.reply_error(id, client.code, client.message);
}

caf::actor directory_of(session_actor* self) {
  return lookup_service(self->system(), directory_service_name);
}

protocol::packed pack_one(std::string_view key, const std::string& value) {
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(1);
  pk.pack(std::string{key});
  pk.pack(value);
  return to_packed(buffer);
}

/// meeting_id as an 11-digit string (spaces/dashes allowed) or an integer, or a 10-digit personal
/// meeting id (the owner's personal meeting room).
std::optional<uint64_t> meeting_id_arg(const msgpack::object& args) {
  if (auto text = protocol::string_field(args, "meeting_id")) {
    if (auto id = meetings::parse_meeting_id(*text))
      return id;
    return meetings::parse_pmi(*text);
  }
  if (auto n = protocol::uint_field(args, "meeting_id"); n && *n >= meetings::pmi_min && *n <= meetings::meeting_id_max)
    return *n;
  return std::nullopt;
}

/// Guests may only join their meeting and act inside it; replies forbidden and returns true for a guest.
bool refuse_guest(session_actor* self, protocol::request& req) {
  if (self->state.guest_meeting_id == 0)
    return false;
  self->state.reply_error(req.id, error_code::forbidden, "guests may only join the meeting they were invited to");
  return true;
}

/// Reads the record fields shared by create and update into `record`; returns a problem or nullopt.
std::optional<std::string> read_record_args(const msgpack::object& args, meeting_record& record, bool creating) {
  if (auto* f = protocol::find_field(args, "topic")) {
    if (f->type != msgpack::type::STR || f->via.str.size == 0 || f->via.str.size > max_topic)
      return "topic must be a string of 1-" + std::to_string(max_topic) + " bytes";
    record.topic.assign(f->via.str.ptr, f->via.str.size);
  } else if (creating)
    return "args.topic (string) is required";
  if (auto* f = protocol::find_field(args, "start_at")) {
    if (f->type != msgpack::type::POSITIVE_INTEGER || f->via.u64 > (uint64_t{1} << 40))
      return "start_at must be unix seconds";
    record.start_at = static_cast<int64_t>(f->via.u64);
  }
  if (auto* f = protocol::find_field(args, "duration_min")) {
    if (f->type != msgpack::type::POSITIVE_INTEGER || f->via.u64 < 1 || f->via.u64 > 24 * 60)
      return "duration_min must be an integer from 1 to 1440";
    record.duration_min = static_cast<uint32_t>(f->via.u64);
  }
  if (auto* f = protocol::find_field(args, "password")) {
    if (f->type == msgpack::type::NIL)
      record.password_hash.clear();
    else if (f->type != msgpack::type::STR)
      return "password must be a string (or nil to remove it)";
    else {
      std::string_view password{f->via.str.ptr, f->via.str.size};
      if (password.empty())
        record.password_hash.clear();
      else if (auto problem = meetings::meeting_password_problem(password))
        return *problem;
      else
        record.password_hash = meetings::hash_meeting_password(password);
    }
  }
  if (auto* f = protocol::find_field(args, "settings"))
    if (auto problem = meetings::apply_settings(*f, record.settings))
      return *problem;
  return std::nullopt;
}

/// The stored meeting named by args.meeting_id, if the caller hosts it; else replies and returns nullopt.
std::optional<meeting_record> hosted_meeting(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (refuse_guest(self, req))
    return std::nullopt;
  auto id = meeting_id_arg(req.args);
  if (!id) {
    st.reply_error(req.id, error_code::bad_request, "args.meeting_id must be an 11-digit meeting id");
    return std::nullopt;
  }
  auto record = meetings::meeting_repository{*st.ctx->db}.find(*id);
  if (!record) {
    st.reply_error(req.id, error_code::not_found, "no meeting with that id");
    return std::nullopt;
  }
  if (record->host_id != st.user->id) {
    st.reply_error(req.id, error_code::forbidden, "only the meeting's host may do that");
    return std::nullopt;
  }
  return record;
}

protocol::packed meeting_result(const meeting_record& record) {
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(1);
  pk.pack("meeting");
  pack_meeting(pk, record);
  return to_packed(buffer);
}

// --- scheduling ----------------------------------------------------------------------------

void op_meeting_create(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (refuse_guest(self, req))
    return;
  meeting_record record;
  record.host_id = st.user->id;
  if (auto problem = read_record_args(req.args, record, true)) {
    st.reply_error(req.id, error_code::bad_request, *problem);
    return;
  }
  std::string password{protocol::string_field(req.args, "password").value_or("")};
  auto host_name = st.user->display_name;
  self->request(directory_of(self), ask_timeout, dir_create_atom::value, std::move(record))
    .await(
      [self, id = req.id, password, host_name](const meeting_record& created) {
        const auto meeting_id = meetings::meeting_id_to_string(created.id);
        const auto join_url = "/j/" + meeting_id;
        auto invite = host_name + " is inviting you to a Parley meeting.\n\nTopic: " + created.topic;
        if (created.start_at != 0)
          invite += "\nTime: " + std::to_string(created.start_at) + " (unix seconds), "
                    + std::to_string(created.duration_min) + " min";
        invite += "\n\nJoin: " + join_url + "\nMeeting ID: " + meetings::format_for_people(created.id);
        if (!password.empty())
          invite += "\nPassword: " + password;
        invite += "\n";
        msgpack::sbuffer buffer;
        meeting_packer pk(buffer);
        pk.pack_map(4);
        pk.pack("meeting_id");
        pk.pack(meeting_id);
        pk.pack("join_url");
        pk.pack(join_url);
        pk.pack("invite_text");
        pk.pack(invite);
        pk.pack("meeting");
        pack_meeting(pk, created);
        self->state.reply_ok(id, to_packed(buffer));
      },
      [self, id = req.id](caf::error& err) { reply_caf_error(self, id, err); });
}

void op_meeting_get(session_actor* self, protocol::request& req) {
  if (auto record = hosted_meeting(self, req))
    self->state.reply_ok(req.id, meeting_result(*record));
}

void op_meeting_update(session_actor* self, protocol::request& req) {
  auto record = hosted_meeting(self, req);
  if (!record)
    return;
  if (auto problem = read_record_args(req.args, *record, false)) {
    self->state.reply_error(req.id, error_code::bad_request, *problem);
    return;
  }
  self->request(directory_of(self), ask_timeout, dir_update_atom::value, *record)
    .await([self, id = req.id](const meeting_record& stored) { self->state.reply_ok(id, meeting_result(stored)); },
           [self, id = req.id](caf::error& err) { reply_caf_error(self, id, err); });
}

void op_meeting_delete(session_actor* self, protocol::request& req) {
  auto record = hosted_meeting(self, req);
  if (!record)
    return;
  self->request(directory_of(self), ask_timeout, dir_delete_atom::value, record->id)
    .await([self, id = req.id](caf::ok_atom) { self->state.reply_ok(id, protocol::empty_map()); },
           [self, id = req.id](caf::error& err) { reply_caf_error(self, id, err); });
}

void op_meeting_list(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (refuse_guest(self, req))
    return;
  auto all = meetings::meeting_repository{*st.ctx->db}.list_by_host(st.user->id);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return std::tie(a.start_at, a.created_at) < std::tie(b.start_at, b.created_at);
  });
  std::vector<const meeting_record*> upcoming, past;
  for (const auto& m : all)
    (m.ended_at == 0 ? upcoming : past).push_back(&m);
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(2);
  pk.pack("upcoming");
  pk.pack_array(static_cast<uint32_t>(upcoming.size()));
  for (auto* m : upcoming)
    pack_meeting(pk, *m);
  pk.pack("past");
  pk.pack_array(static_cast<uint32_t>(past.size()));
  for (auto* m : past)
    pack_meeting(pk, *m);
  st.reply_ok(req.id, to_packed(buffer));
}

void ask_pmi(session_actor* self, protocol::request& req, uint64_t pmi) {
  if (refuse_guest(self, req))
    return;
  self->request(directory_of(self), ask_timeout, dir_pmi_atom::value, self->state.user->id, pmi)
    .await([self, id = req.id](uint64_t got) { self->state.reply_ok(id, pack_one("pmi", std::to_string(got))); },
           [self, id = req.id](caf::error& err) { reply_caf_error(self, id, err); });
}

void op_pmi_get(session_actor* self, protocol::request& req) {
  ask_pmi(self, req, 0);
}

void op_pmi_set(session_actor* self, protocol::request& req) {
  auto text = protocol::string_field(req.args, "pmi");
  if (!text) {
    self->state.reply_error(req.id, error_code::bad_request, "args.pmi (string of 10 digits) is required");
    return;
  }
  if (auto problem = meetings::pmi_problem(*text)) {
    self->state.reply_error(req.id, error_code::bad_request, *problem);
    return;
  }
  ask_pmi(self, req, *meetings::parse_pmi(*text));
}

// --- joining and leaving -------------------------------------------------------------------

/// Asks the directory for the meeting's actor and joins it. The directory may hand out an actor
/// that is just ending (it learns of the end a moment later): a join it never answers because it
/// is gone is asked again once, and then gets the directory's verdict (`meeting_ended`, or a
/// fresh actor).
void find_and_join(session_actor* self, std::optional<uint64_t> id, join_request join, uint64_t meeting_id,
                   bool may_retry) {
  auto& st = self->state;
  self->request(directory_of(self), ask_timeout, dir_find_atom::value, meeting_id, st.user->id, st.remote_address)
    .await(
      [self, id, join, meeting_id, may_retry](const caf::actor& meeting) {
        self->request(meeting, ask_timeout, mt_join_atom::value, join)
          .await(
            [self, id, meeting, meeting_id](uint64_t pid, const std::vector<uint8_t>& result) {
              auto& st = self->state;
              st.meeting = meeting;
              st.meeting_id = meeting_id;
              st.participant_id = pid;
              self->monitor(meeting);
              st.reply_ok(id, result);
            },
            [self, id, join, meeting_id, may_retry](caf::error& err) {
              if (may_retry && err == caf::sec::request_receiver_down)
                return find_and_join(self, id, join, meeting_id, false);
              reply_caf_error(self, id, err);
            });
      },
      [self, id](caf::error& err) { reply_caf_error(self, id, err); });
}

void op_meeting_join(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (st.meeting) {
    st.reply_error(req.id, error_code::conflict, "this connection is already in a meeting; meeting.leave first");
    return;
  }
  auto meeting_id = meeting_id_arg(req.args);
  if (!meeting_id) {
    st.reply_error(req.id, error_code::bad_request,
                   "args.meeting_id must be an 11-digit meeting id or a 10-digit personal meeting id");
    return;
  }
  if (st.guest_meeting_id != 0 && *meeting_id != st.guest_meeting_id) {
    st.reply_error(req.id, error_code::forbidden, "a guest token is valid for one meeting only");
    return;
  }
  join_request join;
  join.participant_id = accounts::random_id();
  join.user = *st.user;
  join.guest = st.guest_meeting_id != 0;
  join.address = st.remote_address;
  if (auto* f = protocol::find_field(req.args, "resume_token")) {
    if (f->type != msgpack::type::STR || f->via.str.size > 64) {
      st.reply_error(req.id, error_code::bad_request, "resume_token must be the string from an earlier join");
      return;
    }
    join.resume_token.assign(f->via.str.ptr, f->via.str.size);
  }
  if (auto* f = protocol::find_field(req.args, "display_name")) {
    if (f->type != msgpack::type::STR || f->via.str.size == 0 || f->via.str.size > 64) {
      st.reply_error(req.id, error_code::bad_request, "display_name must be a string of 1-64 bytes");
      return;
    }
    join.display_name.assign(f->via.str.ptr, f->via.str.size);
  }
  if (auto password = protocol::string_field(req.args, "password")) {
    join.has_password = true;
    join.password = std::string{*password};
  }
  find_and_join(self, req.id, std::move(join), *meeting_id, true);
}

void forget_meeting(session_actor* self) {
  auto& st = self->state;
  if (st.meeting)
    self->demonitor(st.meeting);
  st.meeting = caf::actor{};
  st.meeting_id = 0;
  st.participant_id = 0;
}

void op_meeting_leave(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (!st.meeting) {
    st.reply_error(req.id, error_code::not_found, "this connection is not in a meeting");
    return;
  }
  self->send(st.meeting, mt_leave_atom::value, st.participant_id);
  forget_meeting(self);
  st.reply_ok(req.id, protocol::empty_map());
}

// --- in-meeting ops, decided by the meeting actor ------------------------------------------

/// participant_id: 16 hex digits, or "all" where allowed. Returns false (and replies) if invalid.
bool read_target(session_actor* self, protocol::request& req, meeting_command& cmd, bool required, bool all_allowed) {
  auto text = protocol::string_field(req.args, "participant_id");
  if (!text) {
    if (!required)
      return true;
    self->state.reply_error(req.id, error_code::bad_request, "args.participant_id (string) is required");
    return false;
  }
  if (all_allowed && *text == "all") {
    cmd.all = true;
    return true;
  }
  if (!accounts::id_from_hex(*text, cmd.target) || cmd.target == 0) {
    self->state.reply_error(req.id, error_code::bad_request,
                            all_allowed ? "participant_id must be a participant id or \"all\""
                                        : "participant_id must be a participant id");
    return false;
  }
  return true;
}

bool read_flag(session_actor* self, protocol::request& req, std::string_view name, bool& out, bool required,
               bool fallback = false) {
  auto value = protocol::bool_field(req.args, name);
  if (!value && (required || protocol::find_field(req.args, name))) {
    self->state.reply_error(req.id, error_code::bad_request, "args." + std::string{name} + " (boolean) is required");
    return false;
  }
  out = value.value_or(fallback);
  return true;
}

/// Decodes the args of an in-meeting op; replies and returns nullopt if they are invalid.
std::optional<meeting_command> decode_command(session_actor* self, protocol::request& req) {
  meeting_command cmd;
  cmd.op = req.op;
  cmd.participant_id = self->state.participant_id;
  const auto& op = req.op;
  bool ok = true;
  if (op == "meeting.lock")
    ok = read_flag(self, req, "locked", cmd.flag, true);
  else if (op == "meeting.admit" || op == "meeting.deny")
    ok = read_target(self, req, cmd, true, false);
  else if (op == "participant.kick")
    ok = read_target(self, req, cmd, true, true) && read_flag(self, req, "ban", cmd.flag, false);
  else if (op == "meeting.pause_share")
    ok = read_flag(self, req, "paused", cmd.flag, true);
  else if (op == "participant.allow_recording")
    ok = read_target(self, req, cmd, true, true) && read_flag(self, req, "allowed", cmd.flag, true);
  else if (op == "participant.request_unmute") {
    ok = read_target(self, req, cmd, true, true);
    auto kind = protocol::string_field(req.args, "kind").value_or("audio");
    if (ok && kind != "audio" && kind != "video") {
      self->state.reply_error(req.id, error_code::bad_request, "kind must be audio or video");
      return std::nullopt;
    }
    cmd.kind = std::string{kind};
  } else if (op == "participant.rename") {
    ok = read_target(self, req, cmd, false, false);
    auto* f = protocol::find_field(req.args, "display_name");
    if (ok && (!f || f->type != msgpack::type::STR || f->via.str.size == 0 || f->via.str.size > 64)) {
      self->state.reply_error(req.id, error_code::bad_request, "args.display_name must be a string of 1-64 bytes");
      return std::nullopt;
    }
    if (ok)
      cmd.kind.assign(f->via.str.ptr, f->via.str.size);
  }
  else if (op == "participant.mute") {
    ok = read_target(self, req, cmd, true, true);
    auto kind = protocol::string_field(req.args, "kind").value_or("audio");
    if (ok && kind != "audio" && kind != "video") {
      self->state.reply_error(req.id, error_code::bad_request, "kind must be audio or video");
      return std::nullopt;
    }
    cmd.kind = std::string{kind};
  } else if (op == "participant.set_role") {
    ok = read_target(self, req, cmd, true, false);
    auto role = protocol::string_field(req.args, "role");
    if (ok && !role) {
      self->state.reply_error(req.id, error_code::bad_request, "args.role (host | cohost | participant) is required");
      return std::nullopt;
    }
    if (ok)
      cmd.kind = std::string{*role};
  } else if (op == "hand.lower") {
    ok = read_target(self, req, cmd, false, true);
    if (ok && cmd.target == self->state.participant_id)
      cmd.target = 0; // one's own hand
  } else if (op == "self.mute")
    ok = read_flag(self, req, "muted", cmd.flag, true);
  else if (op == "self.video")
    ok = read_flag(self, req, "off", cmd.flag, true);
  else if (op == "chat.send") {
    auto text = protocol::string_field(req.args, "text");
    if (!text || text->empty() || text->size() > max_chat_text) {
      self->state.reply_error(req.id, error_code::bad_request,
                              "args.text must be a string of 1-" + std::to_string(max_chat_text) + " bytes");
      return std::nullopt;
    }
    cmd.kind = std::string{*text};
    if (protocol::find_field(req.args, "to")) {
      auto to = protocol::string_field(req.args, "to");
      if (!to || !accounts::id_from_hex(*to, cmd.target) || cmd.target == 0) {
        self->state.reply_error(req.id, error_code::bad_request, "to must be a participant id");
        return std::nullopt;
      }
    }
  } else if (op == "chat.history") {
    if (auto* f = protocol::find_field(req.args, "before_seq")) {
      if (f->type != msgpack::type::POSITIVE_INTEGER) {
        self->state.reply_error(req.id, error_code::bad_request, "before_seq must be a positive integer");
        return std::nullopt;
      }
      cmd.before_seq = f->via.u64;
    }
    if (auto* f = protocol::find_field(req.args, "limit")) {
      if (f->type != msgpack::type::POSITIVE_INTEGER || f->via.u64 < 1 || f->via.u64 > 100) {
        self->state.reply_error(req.id, error_code::bad_request, "limit must be an integer from 1 to 100");
        return std::nullopt;
      }
      cmd.limit = static_cast<uint32_t>(f->via.u64);
    }
  }
  if (!ok)
    return std::nullopt;
  return cmd;
}

void op_in_meeting(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (!st.meeting) {
    st.reply_error(req.id, error_code::forbidden, "join a meeting first");
    return;
  }
  auto cmd = decode_command(self, req);
  if (!cmd)
    return;
  self->request(st.meeting, ask_timeout, mt_command_atom::value, std::move(*cmd))
    .await([self, id = req.id](const std::vector<uint8_t>& result) { self->state.reply_ok(id, result); },
           [self, id = req.id](caf::error& err) { reply_caf_error(self, id, err); });
}

/// chat.send without holding the connection's other work: a sender may have several messages in
/// flight (the meeting writes what queues up as one batch). The meeting answers the sender before
/// it fans the message out, so the reply still arrives before the sender's own chat.message.
void op_chat_send(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (!st.meeting) {
    st.reply_error(req.id, error_code::forbidden, "join a meeting first");
    return;
  }
  auto cmd = decode_command(self, req);
  if (!cmd)
    return;
  self->request(st.meeting, chat_send_timeout, mt_command_atom::value, std::move(*cmd))
    .then([self, id = req.id](const std::vector<uint8_t>& result) { self->state.reply_ok(id, result); },
          [self, id = req.id](caf::error& err) { reply_caf_error(self, id, err); });
}

// --- guests --------------------------------------------------------------------------------

void become_guest(session_actor* self, uint64_t guest_id, uint64_t meeting_id, std::string display_name) {
  auto& st = self->state;
  st.user = accounts::user_profile{guest_id, "", std::move(display_name), false};
  st.guest_meeting_id = meeting_id;
  st.session_id = accounts::id_to_hex(accounts::random_id());
}

/// {id, username: "", display_name, guest: true}
void pack_guest_user(meeting_packer& pk, const accounts::user_profile& user) {
  pk.pack_map(4);
  pk.pack("id");
  pk.pack(accounts::id_to_hex(user.id));
  pk.pack("username");
  pk.pack(user.username);
  pk.pack("display_name");
  pk.pack(user.display_name);
  pk.pack("guest");
  pk.pack(true);
}

/// auth.guest {meeting_id, display_name}: signs the connection in as a guest of one meeting.
void op_auth_guest(session_actor* self, protocol::request& req) {
  auto& st = self->state;
  if (st.user) {
    st.reply_error(req.id, error_code::bad_request, "this connection is already authenticated");
    return;
  }
  auto meeting_id = meeting_id_arg(req.args);
  if (!meeting_id) {
    st.reply_error(req.id, error_code::bad_request, "args.meeting_id must be a meeting id");
    return;
  }
  auto* f = protocol::find_field(req.args, "display_name");
  if (!f || f->type != msgpack::type::STR || f->via.str.size == 0 || f->via.str.size > 64) {
    st.reply_error(req.id, error_code::bad_request, "args.display_name must be a string of 1-64 bytes");
    return;
  }
  std::string display_name{f->via.str.ptr, f->via.str.size};
  self->request(directory_of(self), ask_timeout, dir_guest_atom::value, *meeting_id, display_name, st.remote_address)
    .await(
      [self, id = req.id, meeting_id = *meeting_id, display_name](const std::string& token, uint64_t guest_id,
                                                                   int64_t expires_at) {
        auto& st = self->state;
        if (st.user) {
          st.reply_error(id, error_code::bad_request, "this connection is already authenticated");
          return;
        }
        become_guest(self, guest_id, meeting_id, display_name);
        msgpack::sbuffer buffer;
        meeting_packer pk(buffer);
        pk.pack_map(4);
        pk.pack("guest_token");
        pk.pack(token);
        pk.pack("expires_at");
        pk.pack(expires_at);
        pk.pack("user");
        pack_guest_user(pk, *st.user);
        pk.pack("session_id");
        pk.pack(st.session_id);
        st.reply_ok(id, to_packed(buffer));
      },
      [self, id = req.id](caf::error& err) { reply_caf_error(self, id, err); });
}

} // namespace

bool hello_as_guest(session_actor* self, protocol::request& req, std::string_view token) {
  auto guest = meetings::meeting_repository{*self->state.ctx->db}.find_guest(accounts::token_digest(token));
  if (!guest || guest->expires_at <= accounts::unix_now())
    return false;
  become_guest(self, guest->guest_id, guest->meeting_id, guest->display_name);
  auto& st = self->state;
  msgpack::sbuffer buffer;
  meeting_packer pk(buffer);
  pk.pack_map(2);
  pk.pack("user");
  pack_guest_user(pk, *st.user);
  pk.pack("session_id");
  pk.pack(st.session_id);
  st.reply_ok(req.id, to_packed(buffer));
  return true;
}

void add_meeting_ops(op_table& table) {
  table.emplace("auth.guest", op_entry{op_auth_guest, false});
  table.emplace("meeting.create", op_entry{op_meeting_create});
  table.emplace("meeting.get", op_entry{op_meeting_get});
  table.emplace("meeting.update", op_entry{op_meeting_update});
  table.emplace("meeting.delete", op_entry{op_meeting_delete});
  table.emplace("meeting.list", op_entry{op_meeting_list});
  table.emplace("user.pmi.get", op_entry{op_pmi_get});
  table.emplace("user.pmi.set", op_entry{op_pmi_set});
  table.emplace("meeting.join", op_entry{op_meeting_join});
  table.emplace("meeting.leave", op_entry{op_meeting_leave});
  for (auto op : {"meeting.end", "meeting.lock", "meeting.admit", "meeting.admit_all", "meeting.deny",
                  "participant.kick", "participant.mute", "participant.set_role", "hand.raise", "hand.lower",
                  "self.mute", "self.video", "chat.history", "meeting.pause_share",
                  "participant.request_unmute", "participant.allow_recording", "participant.rename"})
    table.emplace(op, op_entry{op_in_meeting});
  table.emplace("chat.send", op_entry{op_chat_send});
}

void leave_meeting_on_disconnect(session_actor* self) {
  auto& st = self->state;
  // Not a leave: the participant stays "reconnecting" for the grace period and may resume.
  if (st.meeting)
    self->send(st.meeting, mt_drop_atom::value, st.participant_id);
  forget_meeting(self);
}

void detach_from_meeting(session_actor* self, uint64_t participant_id) {
  if (self->state.meeting && self->state.participant_id == participant_id)
    forget_meeting(self);
}

void on_meeting_down(session_actor* self, const caf::down_msg& msg) {
  auto& st = self->state;
  if (!st.meeting || st.meeting.address() != msg.source)
    return;
  forget_meeting(self);
  st.push_event("meeting.removed", pack_one("reason", "meeting_lost"));
}

} // namespace parley::actors
