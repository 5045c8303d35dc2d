// What a `gilsim scale` sweep measured, and its reports: the table, CSV, JSON and the SVG chart.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace gilsim {

struct ScaleCell {
  std::string policy;
  size_t value = 0;               // index into ScaleResult::values
  std::vector<double> runs;       // wall seconds of each repeat, in the order run
  double wall_s = 0;              // their median
  std::optional<double> speedup;  // wall of the first value (same policy) / wall_s
};

struct ScaleResult {
  std::string script;
  std::string param;                // the swept -D name
  std::vector<std::string> values;  // as given
  std::vector<double> numbers;      // the values as numbers, or empty when one is not a number
  std::vector<std::string> policies;
  std::string engine;
  int cores = 0;  // sim only
  std::uint64_t seed = 0;
  int repeat = 1;
  std::vector<ScaleCell> cells;  // complete cells only (every repeat ran and succeeded)
  bool complete = true;          // false when a failure or Ctrl-C stopped the sweep early

  const ScaleCell* cell(const std::string& policy, size_t value) const;
  // value / first value, when the values are numbers (and the first is not 0): linear scaling.
  std::optional<double> ideal(size_t value) const;
  void compute_speedups();
};

// The readable table: one row per value, wall time and speedup per policy, the ideal column.
std::string format_scale_table(const ScaleResult& r);
void write_scale_csv(const ScaleResult& r, std::ostream& out);
// Keys in the order docs/scale.md lists them.
nlohmann::ordered_json scale_json(const ScaleResult& r);
void write_scale_svg(const ScaleResult& r, std::ostream& out);

}  // namespace gilsim
