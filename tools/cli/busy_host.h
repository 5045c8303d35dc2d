// Whether the host gave a run on the threads engine the cores it needed.
//
// On real threads a busy machine (or a laptop saving power) makes a running thread wait for a core
// while it holds the GIL, and every time and speedup the script prints is off by that much, in
// either direction: a slowed baseline gives CPU-bound threads a speedup of 1.23 under modern, a
// slowed threaded part one of 0.62. The script's own figures cannot tell; the process's CPU time
// can: while the script's threads were running or in native code they wanted min(n, cores) cores,
// and the CPU time the process got over the run says how much of that they had.
#pragma once

#include <optional>
#include <string>

#include "gil/record/run_record.h"

namespace gilsim {

// User + system CPU seconds of this process so far.
double process_cpu_seconds();

// The cores this process may run on (its affinity mask: taskset and cgroups' cpusets shrink it).
int usable_cores();

// Core-seconds the run's threads wanted: the time integral of min(threads running or in native
// code, cores).
double core_seconds_wanted(const RunRecord& run, int cores);

// The warning to print after a threads-engine run that got less than 80 % of the core time it
// wanted (cpu_s: the process's CPU seconds during the run), or nothing. Short runs (under 50 ms of
// wanted core time) and sim-engine runs get none.
std::optional<std::string> busy_host_warning(const RunRecord& run, double cpu_s, int cores);

}  // namespace gilsim
