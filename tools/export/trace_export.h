// Exporters of a finished run: Chrome / Perfetto trace JSON and CSV of state intervals.
//
// Both read the same RunRecord the metrics come from, so a trace never disagrees with the
// summary. Each writes a complete, valid document whatever way the run ended (an error, a
// deadlock, --timeout, Ctrl-C), because the engine always stops cleanly before they run.
#pragma once

#include <ostream>

#include "gil/record/metrics.h"
#include "gil/record/run_record.h"

namespace gilsim {

// Chrome Trace Event Format (JSON array form is not used: the object form with "traceEvents"
// carries metadata too), loadable in ui.perfetto.dev and chrome://tracing. See docs/traces.md.
// A pid per process (GIL), a tid per script thread; one X slice per state interval (running,
// waiting, io, native, blocked) in µs from the run's start with three decimals (exact ns);
// instants for drop requests, forced switches, failed acquisitions, uncaught errors and threads
// stopped by --timeout / Ctrl-C / a deadlock; counters "threads waiting for the GIL" and "GIL
// holder" (the holder's tid, 0 when free) per process; flow arrows (bind_id/flow_in/flow_out)
// for each hand-off of a GIL between threads; the program's gilsim.mark / span / counter as
// instants, slices on a "<thread> spans" track and counters. "metadata" holds the --json results
// plus "generator":"gilsim", "end_us" and "tids". Streams: memory beyond the run is about the state
// intervals, whatever the size of the output. The exact layout is described in trace_export.cpp.
void write_chrome_trace(const RunRecord& run, const Metrics& metrics, std::ostream& out);

// One row per state interval: thread,state,start_us,end_us,reason (header included). thread is
// the label, quoted as RFC 4180 says when it holds a comma, a quote or a line break; times in µs
// with three decimals; reason is empty on running rows.
void write_state_csv(const RunRecord& run, std::ostream& out);

}  // namespace gilsim
