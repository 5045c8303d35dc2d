// `--timeline FILE.html`: one self-contained page (no network: scripts, styles and data inline)
// that draws the run: a lane per thread coloured by state, a GIL-holder lane, hand-off arrows,
// zoom and pan, tooltips, and the run's summary above the lanes.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "gil/metrics.h"
#include "gil/run_record.h"

namespace gilsim {

void write_timeline_html(const RunRecord& run, const Metrics& metrics, std::ostream& out);

// The run's data as the page reads it (format "gilsim-timeline"), made safe to sit inside a
// <script> element: what the playground hands to the same renderer.
std::string timeline_data_json(const RunRecord& run, const Metrics& metrics);

// The whole page around a data block (as timeline_data_json makes it) and a title.
std::string timeline_page(std::string_view data_json, std::string_view title);

}  // namespace gilsim
