// Reads fields 14 (utime) and 15 (stime) of /proc/PID/stat.
#include "benchmarks/media/process_cpu.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace parley::bench {

std::optional<std::chrono::microseconds> process_cpu_time(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!file || !std::getline(file, line))
    return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces: skip past the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos)
    return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  std::string skip;
  // Fields 3..13 come before utime.
  for (int i = 3; i <= 13; ++i)
    if (!(fields >> skip))
      return std::nullopt;
  unsigned long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime))
    return std::nullopt;
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (ticks_per_second <= 0)
    return std::nullopt;
  return std::chrono::microseconds((utime + stime) * 1'000'000ULL / static_cast<unsigned long long>(ticks_per_second));
}

} // namespace parley::bench
