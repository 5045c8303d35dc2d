// `--timeline FILE.html`: one self-contained page (no network: scripts, styles and data inline)
// that draws the run: a lane per thread coloured by state, a GIL-holder lane, hand-off arrows,
// zoom and pan, tooltips, and the run's summary above the lanes.
#pragma once

#include <ostream>

#include "gil/metrics.h"
#include "gil/run_record.h"

namespace gilsim {

void write_timeline_html(const RunRecord& run, const Metrics& metrics, std::ostream& out);

}  // namespace gilsim
