// Exporters of a finished run: Chrome / Perfetto trace JSON and CSV of state intervals.
//
// Both read the same RunRecord the metrics come from, so a trace never disagrees with the
// summary. Each writes a complete, valid document whatever way the run ended (an error, a
// deadlock, --timeout, Ctrl-C), because the engine always stops cleanly before they run.
#pragma once

#include <ostream>

#include "gil/metrics.h"
#include "gil/run_record.h"

namespace gilsim {

// Chrome Trace Event Format (JSON array form is not used: the object form with "traceEvents"
// carries metadata too), loadable in ui.perfetto.dev and chrome://tracing. See docs/traces.md.
void write_chrome_trace(const RunRecord& run, const Metrics& metrics, std::ostream& out);

// One row per state interval: thread,state,start_us,end_us,reason.
void write_state_csv(const RunRecord& run, std::ostream& out);

}  // namespace gilsim
