// RunRecord: everything a finished run leaves behind, for metrics and exporters.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gil/core/event.h"
#include "gil/core/policy.h"

namespace gilsim {

enum class StopCause { None, Timeout, Interrupt, Deadlock };

struct ThreadInfo {
  int id;
  std::string name;     // as thread_name() returns it ("MainThread", "Thread-1 (worker)")
  std::string label;    // for tables and traces: the name, prefixed by its process if not the first
  int parent;           // -1 for the main thread
  int gil;              // index into RunRecord::gils
  bool failed = false;  // died of an uncaught error
  // When it failed: the traceback as printed, ending with the exception.
  std::string traceback{};
  // threading's daemon=True: the run ended without it, stopped where it was (it may have been
  // waiting for the GIL then).
  bool daemon = false;
};

struct GilInfo {
  std::string process;  // "MainProcess", "Process-1", ...
};

struct RunRecord {
  std::string script;
  std::string policy;
  PolicyParams params;
  std::vector<std::pair<std::string, std::string>> defines;  // -D NAME=VALUE, as given
  std::string engine = "threads";
  int cores = 0;           // sim: virtual cores (0 under threads: the host's)
  std::uint64_t seed = 0;  // sim: the model's seed
  bool exclusive = true;   // false under `none`: no GIL at all
  // free-threaded: the GIL was turned on at this time (gilsim.import_extension); before it the
  // run was as under `none`. 0 for a GIL from the start.
  Nanos exclusive_from = 0;
  bool exclusive_at(Nanos t) const { return exclusive && t >= exclusive_from; }
  Nanos wall = 0;
  std::vector<ThreadInfo> threads;
  std::vector<GilInfo> gils;
  std::vector<Event> events;           // all threads', by time (each thread's own order kept)
  std::vector<std::string> functions;  // Event::code -> the function's name
  std::vector<std::string> labels;     // an annotation's Event::code -> its label (annotations.h)
  // --max-events: recording stopped at `truncated_at` once the cap was reached; the events kept
  // describe the run up to then, and every view says so.
  std::uint64_t max_events = 0;
  Nanos truncated_at = -1;
  std::uint64_t events_dropped = 0;
  Nanos observed_end() const { return truncated_at >= 0 ? truncated_at : wall; }
  StopCause stop = StopCause::None;
  std::string deadlock_report;
  int exit_code = 0;
};

// gilsim run's exit status for a run that ended this way: 124 on --timeout, 130 on Ctrl-C, 1 on
// a deadlock or a thread that died of an error, else 0.
inline int exit_code_for(StopCause stop, bool any_failed) {
  switch (stop) {
    case StopCause::Timeout:
      return 124;
    case StopCause::Interrupt:
      return 130;
    case StopCause::Deadlock:
      return 1;
    case StopCause::None:
      break;
  }
  return any_failed ? 1 : 0;
}

}  // namespace gilsim
