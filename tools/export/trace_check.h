// `gilsim check TRACE.json`: verifies a trace gilsim wrote against the run invariants, naming each
// violation. Works on the trace alone (no access to the run), so it also catches a trace edited
// or corrupted after the fact.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gilsim {

// Each violation, named in a sentence with thread names and times in µs; empty when the trace is
// sound. Checks: the document is an object with "traceEvents" and metadata.generator "gilsim"
// (if not, that is the only message); events are well-formed; every thread with events has a
// thread_name; no negative durations; per thread, slices in time order and not overlapping; at
// most one running slice per GIL (pid) at any time, unless metadata says there is no GIL (policy
// "none"); every waiting slice is followed by a running slice of that thread, ends at the run's
// end (metadata end_us, else wall_s) or where the thread was stopped (a "stopped" instant); on
// the GIL tracks (metadata gil_tracks), each slice names a thread of its process and begins and
// ends with that thread's running slices, and every running slice lies inside one of its thread's
// GIL-track slices. At
// most 20 messages of a kind, then a line counting the rest. Never throws on odd input.
std::vector<std::string> check_trace(const nlohmann::json& trace);

}  // namespace gilsim
