#include "tools/lab/scale_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "tools/export/svg_chart.h"

namespace gilsim {

namespace {

// Three significant digits whatever the size ("0.0381", "1.23", "12.3"), so columns read alike.
std::string seconds(double s) {
  return s >= 100 ? fmt::format("{:.0f}", s) : fmt::format("{:#.3g}", s);
}

std::string ratio(const std::optional<double>& r) { return r ? fmt::format("{:.2f}", *r) : "-"; }

std::string machine(const ScaleResult& r) {
  if (r.engine == "sim") return fmt::format("engine sim ({} cores, seed {})", r.cores, r.seed);
  return fmt::format("engine {}", r.engine);
}

std::string runs_phrase(int repeat) {
  return repeat == 1 ? "1 run per cell" : fmt::format("median of {} runs", repeat);
}

std::string trimmed(std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "\n";
}

nlohmann::ordered_json value_json(const ScaleResult& r, size_t i) {
  if (r.numbers.empty()) return r.values[i];
  double v = r.numbers[i];
  if (v == std::floor(v) && std::abs(v) < 9.0e15) return static_cast<std::int64_t>(v);
  return v;
}

nlohmann::ordered_json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

const ScaleCell* ScaleResult::cell(const std::string& policy, size_t value) const {
  for (const auto& c : cells)
    if (c.policy == policy && c.value == value) return &c;
  return nullptr;
}

std::optional<double> ScaleResult::ideal(size_t value) const {
  if (numbers.empty() || numbers[0] == 0) return std::nullopt;
  return numbers[value] / numbers[0];
}

void ScaleResult::compute_speedups() {
  for (auto& c : cells) {
    const ScaleCell* base = cell(c.policy, 0);
    c.speedup.reset();
    if (base && base->wall_s > 0 && c.wall_s > 0) c.speedup = base->wall_s / c.wall_s;
  }
}

std::string format_scale_table(const ScaleResult& r) {
  const size_t first = std::max<size_t>(r.param.size(), 5) + 3;
  size_t group = 20;
  for (const auto& p : r.policies) group = std::max(group, p.size() + 3);
  const bool ideal = r.ideal(0).has_value();

  std::string out =
      fmt::format("{}: speedup over {}={}, {}, {}\n\n", r.script, r.param,
                  r.values.empty() ? "" : r.values[0], machine(r), runs_phrase(r.repeat));
  std::string line = fmt::format("{:<{}}", "", first);
  for (const auto& p : r.policies) line += fmt::format("{:<{}}", p, group);
  out += trimmed(line);
  line = fmt::format("{:<{}}", r.param, first);
  for (size_t k = 0; k < r.policies.size(); ++k)
    line += fmt::format("{:<10}{:<{}}", "wall s", "speedup", group - 10);
  if (ideal) line += "ideal";
  out += trimmed(line);
  for (size_t i = 0; i < r.values.size(); ++i) {
    line = fmt::format("{:<{}}", r.values[i], first);
    for (const auto& p : r.policies) {
      const ScaleCell* c = r.cell(p, i);
      line += fmt::format("{:<10}{:<{}}", c ? seconds(c->wall_s) : "-", c ? ratio(c->speedup) : "-",
                          group - 10);
    }
    if (ideal) line += ratio(r.ideal(i));
    out += trimmed(line);
  }
  if (!r.complete) out += "(the sweep stopped early: '-' marks what was not measured)\n";
  return out;
}

void write_scale_csv(const ScaleResult& r, std::ostream& out) {
  out << "policy,value,wall_s,speedup,repeat\n";
  for (const auto& c : r.cells) {
    out << fmt::format("{},{},{:.9g},{},{}\n", c.policy, r.values[c.value], c.wall_s,
                       c.speedup ? fmt::format("{:.6g}", *c.speedup) : "", c.runs.size());
  }
}

nlohmann::ordered_json scale_json(const ScaleResult& r) {
  nlohmann::ordered_json values = nlohmann::ordered_json::array();
  for (size_t i = 0; i < r.values.size(); ++i) values.push_back(value_json(r, i));
  nlohmann::ordered_json cells = nlohmann::ordered_json::array();
  for (const auto& c : r.cells) {
    cells.push_back({{"policy", c.policy},
                     {"value", value_json(r, c.value)},
                     {"wall_s", c.wall_s},
                     {"runs", c.runs},
                     {"speedup", optional_json(c.speedup)},
                     {"ideal_speedup", optional_json(r.ideal(c.value))}});
  }
  nlohmann::ordered_json j = {{"script", r.script},     {"param", r.param},   {"values", values},
                              {"policies", r.policies}, {"engine", r.engine}, {"repeat", r.repeat},
                              {"complete", r.complete}};
  if (r.engine == "sim") {
    j["cores"] = r.cores;
    j["seed"] = r.seed;
  }
  j["cells"] = cells;
  return j;
}

void write_scale_svg(const ScaleResult& r, std::ostream& out) {
  LineChart chart;
  std::string name = std::filesystem::path(r.script).filename().string();
  chart.title = fmt::format("{}, {}", name, machine(r));
  chart.subtitle = fmt::format("speedup = wall time at {}={} / wall time; {}", r.param,
                               r.values.empty() ? "" : r.values[0], runs_phrase(r.repeat));
  chart.x_label = r.param;
  chart.y_label = "speedup";
  chart.x_labels = r.values;
  chart.x_values = r.numbers;
  chart.x_numeric = !r.numbers.empty();
  for (const auto& p : r.policies) {
    ChartSeries s{p, {}, false};
    for (size_t i = 0; i < r.values.size(); ++i) {
      const ScaleCell* c = r.cell(p, i);
      s.y.push_back(c ? c->speedup : std::nullopt);
    }
    chart.series.push_back(std::move(s));
  }
  if (r.ideal(0)) {
    ChartSeries ideal{"ideal (linear)", {}, true};
    for (size_t i = 0; i < r.values.size(); ++i) ideal.y.push_back(r.ideal(i));
    chart.series.push_back(std::move(ideal));
  }
  write_line_chart_svg(chart, out);
}

}  // namespace gilsim
