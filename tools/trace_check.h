// `gilsim check TRACE.json`: verifies a trace gilsim wrote against the run invariants, naming each
// violation. Works on the trace alone (no access to the run), so it also catches a trace edited
// or corrupted after the fact.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gilsim {

// Each violation, named; empty when the trace is sound. Checks: the document is a gilsim trace;
// at most one running slice per GIL (process) at any time; per thread, slices ordered and not
// overlapping; every waiting slice ends in a running slice (an acquire) or at the run's end.
std::vector<std::string> check_trace(const nlohmann::json& trace);

}  // namespace gilsim
