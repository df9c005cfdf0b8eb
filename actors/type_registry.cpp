// The single list of message types; a test serialises each through CAF's binary serializer.
#include "actors/type_registry.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/message.hpp>

#include "accounts/user_record.hpp"
#include "actors/accounts_messages.hpp"
#include "actors/admin_messages.hpp"
#include "actors/audit_messages.hpp"
#include "actors/meeting_messages.hpp"
#include "actors/messaging_messages.hpp"
#include "actors/service_error.hpp"
#include "actors/shared_frame.hpp"
#include "storage/store_messages.hpp"

namespace parley::actors {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<storage::write_op>("parley.storage.write_op");
  cfg.add_message_type<storage::write_set>("parley.storage.write_set");
  cfg.add_message_type<accounts::user_profile>("parley.accounts.user_profile");
  cfg.add_message_type<registration>("parley.registration");
  cfg.add_message_type<login_attempt>("parley.login_attempt");
  cfg.add_message_type<login_grant>("parley.login_grant");
  cfg.add_message_type<account_command>("parley.account_command");
  cfg.add_message_type<signed_command>("parley.signed_command");
  cfg.add_message_type<user_change>("parley.user_change");
  cfg.add_message_type<meetings::meeting_settings>("parley.meetings.meeting_settings");
  cfg.add_message_type<meetings::meeting_record>("parley.meetings.meeting_record");
  cfg.add_message_type<join_request>("parley.join_request");
  cfg.add_message_type<meeting_command>("parley.meeting_command");
  cfg.add_message_type<im_command>("parley.im_command");
  cfg.add_message_type<audit::audit_event>("parley.audit.audit_event");
  cfg.add_message_type<admin_request>("parley.admin_request");
  cfg.add_message_type<admin_reply>("parley.admin_reply");
  cfg.add_message_type<shared_frame>("parley.shared_frame"); // also std::vector<parley.shared_frame>
  cfg.add_error_category(error_category, [](uint8_t code, caf::atom_value, const caf::message& ctx) {
    return std::string{protocol::to_string(static_cast<protocol::error_code>(code))} + ": "
           + caf::to_string(ctx);
  });
}

} // namespace parley::actors
