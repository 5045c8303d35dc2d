// A line chart as a self-contained SVG: no scripts, no external fonts or styles, large type so
// that it stays readable when projected, and the Okabe-Ito palette (safe for colour-blind
// readers) with a different marker per series, so lines are told apart without colour too.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace gilsim {

struct ChartSeries {
  std::string name;                      // in the legend
  std::vector<std::optional<double>> y;  // one per x; nullopt: no point there (line broken)
  bool reference = false;                // drawn dashed and grey, without markers (e.g. "ideal")
};

struct LineChart {
  std::string title;
  std::string subtitle;
  std::string x_label;
  std::string y_label;
  // The x positions: numbers place points on a linear axis; without them (x_numeric false) the
  // labels are spread evenly, in order.
  std::vector<std::string> x_labels;
  std::vector<double> x_values;
  bool x_numeric = false;
  std::vector<ChartSeries> series;
};

void write_line_chart_svg(const LineChart& chart, std::ostream& out);

}  // namespace gilsim
