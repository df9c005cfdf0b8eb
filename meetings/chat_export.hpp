// A meeting's chat as plain text, the way a host saves it (GET /api/v1/meetings/{id}/chat.txt).
#pragma once

#include <string>
#include <vector>

#include "meetings/chat_record.hpp"
#include "meetings/meeting_record.hpp"

namespace parley::meetings {

/// One header line, then one line per message: `[YYYY-MM-DD HH:MM:SS UTC] From: text`, private
/// messages as `From → To (private): text` where To is the recipient's name if known.
/// Line breaks inside a message are kept, indented, so each message still starts its own line.
std::string chat_as_text(const meeting_record& meeting, const std::vector<chat_record>& messages);

} // namespace parley::meetings
