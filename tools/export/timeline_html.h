// `--timeline FILE.html`: one self-contained page (no network: scripts, styles and data inline)
// that draws the run: a lane per thread coloured by state, a GIL-holder lane, hand-off arrows,
// zoom and pan, tooltips, and the run's summary above the lanes.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "gil/record/metrics.h"
#include "gil/record/run_record.h"

namespace gilsim {

void write_timeline_html(const RunRecord& run, const Metrics& metrics, std::ostream& out);

// The run's data as the page reads it (format "gilsim-timeline"), made safe to sit inside a
// <script> element: what the playground hands to the same renderer.
std::string timeline_data_json(const RunRecord& run, const Metrics& metrics);

// Several runs of one script (under several policies) in one page, on one shared time axis, a
// block of lanes per run: data of format "gilsim-compare" ({"runs": [run data, ...]}), which the
// same renderer draws. `gilsim compare --timeline` and the playground's side-by-side mode.
struct TimelineRun {
  const RunRecord* run;
  const Metrics* metrics;
};
std::string timeline_compare_json(const std::vector<TimelineRun>& runs);
void write_compare_timeline_html(const std::vector<TimelineRun>& runs, std::ostream& out);

// The whole page around a data block (as timeline_data_json makes it) and a title.
std::string timeline_page(std::string_view data_json, std::string_view title);

}  // namespace gilsim
