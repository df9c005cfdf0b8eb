// Plain-text chat export: UTC timestamps, sender names, private messages marked.
#include "meetings/chat_export.hpp"

#include <ctime>
#include <map>

#include "meetings/meeting_id.hpp"

namespace parley::meetings {

namespace {

std::string utc_time(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

} // namespace

std::string chat_as_text(const meeting_record& meeting, const std::vector<chat_record>& messages) {
  std::string out = "Chat of \"" + meeting.topic + "\" (meeting " + format_for_people(meeting.id) + ")\n";
  std::map<uint64_t, std::string> names; // participant id → last name seen
  for (const auto& m : messages)
    names[m.from_participant] = m.from_name;
  for (const auto& m : messages) {
    out += "[" + utc_time(m.at) + " UTC] " + m.from_name;
    if (m.is_private()) {
      auto it = names.find(m.to_participant);
      out += " → " + (it != names.end() ? it->second : std::string{"participant"}) + " (private)";
    }
    out += ": ";
    for (char c : m.text) {
      out += c;
      if (c == '\n')
        out += "    ";
    }
    out += '\n';
  }
  return out;
}

} // namespace parley::meetings
