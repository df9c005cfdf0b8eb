// CPU time a process has used so far (user + system, all threads), from /proc/PID/stat.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>

namespace parley::bench {

/// utime + stime of `pid` (every thread), or nullopt if the process is gone or the file is
/// unreadable. The kernel counts in clock ticks (10 ms at USER_HZ=100): measure over
/// seconds, not milliseconds.
std::optional<std::chrono::microseconds> process_cpu_time(pid_t pid);

} // namespace parley::bench
