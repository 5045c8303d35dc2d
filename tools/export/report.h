// Reports of a finished run: the readable summary table and the --json document.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gil/record/metrics.h"
#include "gil/record/run_record.h"

namespace gilsim {

// The table printed after a run (to stderr, so the script's own output stays clean on stdout).
std::string format_summary(const RunRecord& run, const Metrics& m);

// What `gilsim run` says on stderr before the summary when the run was stopped: the deadlock
// report, or that --timeout (`timeout`, as given) or Ctrl-C stopped it. Empty when it finished.
std::string format_stop_note(const RunRecord& run, const std::string& timeout);

// The --json document; its keys are fixed by DESIGN.md ("Machine-readable results").
nlohmann::json results_json(const RunRecord& run, const Metrics& m);

// "switch interval 5ms", "check interval 100 ticks", ...: the parameters that matter for the
// policy.
std::string policy_parameters(const RunRecord& run);
const char* stop_name(StopCause c);  // "none", "timeout", "interrupt", "deadlock"
// The exception of a traceback as Python prints it: its last line ("ZeroDivisionError: ..."),
// "" for an empty traceback.
std::string exception_line(std::string_view traceback);

}  // namespace gilsim
