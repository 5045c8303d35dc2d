#include "tools/scale.h"

#include <fmt/format.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <memory>

#include "gil/engine.h"
#include "tools/bench.h"
#include "tools/scale_report.h"
#include "tools/script_loader.h"

namespace gilsim {

namespace {

template <typename... Args>
void usage_error(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "gilsim scale: {}\n", fmt::format(format, std::forward<Args>(args)...));
}

// "threads=1,2,4" -> name and values. False (after saying why) when it does not read.
bool parse_param(const std::string& text, std::string& name, std::vector<std::string>& values) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    usage_error("--param expects NAME=V1,V2,..., got '{}'", text);
    return false;
  }
  name = text.substr(0, eq);
  std::string rest = text.substr(eq + 1);
  values.clear();
  size_t start = 0;
  while (true) {
    size_t comma = rest.find(',', start);
    std::string v = rest.substr(start, comma == std::string::npos ? comma : comma - start);
    if (v.empty()) {
      usage_error("--param {}: empty value in '{}' (give V1,V2,...)", name, rest);
      return false;
    }
    values.push_back(v);
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

// All values as finite numbers, or empty when one is not a number (then no ideal line).
std::vector<double> as_numbers(const std::vector<std::string>& values) {
  std::vector<double> numbers;
  for (const auto& v : values) {
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (end != v.c_str() + v.size() || !std::isfinite(d)) return {};
    numbers.push_back(d);
  }
  return numbers;
}

bool check_policies(const std::vector<std::string>& policies) {
  if (policies.empty()) {
    usage_error("--policy: give at least one policy");
    return false;
  }
  for (const auto& p : policies) {
    bool known = false;
    for (const auto& info : policy_catalog()) known |= info.name == p;
    if (known) continue;
    std::string names;
    for (const auto& info : policy_catalog()) names += (names.empty() ? "" : ", ") + info.name;
    usage_error("unknown policy '{}' (one of: {})", p, names);
    return false;
  }
  return true;
}

// Why a run failed, for the report: the script's own error text, else what stopped it.
std::string failure_text(const RunRecord& rec, Engine& engine) {
  std::string text = engine.captured_errors();
  if (rec.stop == StopCause::Deadlock) text += rec.deadlock_report;
  if (rec.stop == StopCause::Timeout) text += "stopped by --timeout\n";
  if (text.empty()) text = fmt::format("exit status {}\n", rec.exit_code);
  if (text.back() != '\n') text += '\n';
  return text;
}

struct Sweep {
  const ScaleOptions& opt;
  std::shared_ptr<const Program> program;
  std::vector<EngineOptions> engines;  // one per policy, -D of the sweep not yet added
  ScaleResult result;
};

// Runs one cell (every repeat). Returns 0, or the exit status of the run that failed (then the
// cell is left out of the results).
int run_cell(Sweep& s, size_t policy, size_t value, int number, int total) {
  const std::string& p = s.result.policies[policy];
  const std::string label = fmt::format("{} {}={}", p, s.result.param, s.result.values[value]);
  if (!s.opt.quiet) fmt::print(stderr, "[{}/{}] {}:", number, total, label);
  ScaleCell cell{p, value, {}, 0, std::nullopt};
  for (int k = 0; k < s.opt.repeat; ++k) {
    EngineOptions eo = s.engines[policy];
    // The sweep's value comes first: param() takes the first -D of a name.
    eo.defines.insert(eo.defines.begin(), {s.result.param, s.result.values[value]});
    eo.sim.seed += k;  // under sim, repeats sample the model's noise instead of repeating it
    eo.out = nullptr;  // the script's prints are captured, not shown
    eo.err = nullptr;
    auto engine = make_engine(eo);
    RunRecord rec = engine->run(s.program);
    if (rec.exit_code != 0) {
      if (!s.opt.quiet) fmt::print(stderr, " stopped\n");
      if (rec.stop == StopCause::Interrupt) {
        fmt::print(stderr, "gilsim scale: interrupted ({}); writing what was measured\n",
                   interrupt_name());
        return interrupt_exit_code();
      } else {
        fmt::print(stderr, "gilsim scale: {} (run {} of {}) failed with exit status {}:\n{}", label,
                   k + 1, s.opt.repeat, rec.exit_code, failure_text(rec, *engine));
      }
      return rec.exit_code;
    }
    cell.runs.push_back(rec.wall / 1e9);
    if (!s.opt.quiet) fmt::print(stderr, " {:.4g}", cell.runs.back());
  }
  cell.wall_s = median(cell.runs);
  if (!s.opt.quiet) {
    if (s.opt.repeat > 1)
      fmt::print(stderr, " -> {:.4g} s\n", cell.wall_s);
    else
      fmt::print(stderr, " s\n");
  }
  s.result.cells.push_back(std::move(cell));
  return 0;
}

// Values outside, policies inside: a stopped sweep leaves whole rows of the table.
int run_grid(Sweep& s) {
  const int total = int(s.result.values.size() * s.result.policies.size());
  int number = 0;
  for (size_t v = 0; v < s.result.values.size(); ++v) {
    for (size_t p = 0; p < s.result.policies.size(); ++p) {
      if (interrupted()) {
        fmt::print(stderr, "gilsim scale: interrupted ({}); writing what was measured\n",
                   interrupt_name());
        return interrupt_exit_code();
      }
      int status = run_cell(s, p, v, ++number, total);
      if (status != 0) return status;
    }
  }
  return 0;
}

bool write_outputs(const ScaleOptions& opt, const ScaleResult& r) {
  bool ok = true;
  if (!opt.csv_path.empty())
    ok &= write_file(opt.csv_path, [&](std::ostream& f) { write_scale_csv(r, f); });
  if (!opt.json_path.empty())
    ok &= write_file(opt.json_path, [&](std::ostream& f) {
      f << scale_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    });
  if (!opt.svg_path.empty())
    ok &= write_file(opt.svg_path, [&](std::ostream& f) { write_scale_svg(r, f); });
  return ok;
}

}  // namespace

int run_scale(const ScaleOptions& opt) {
  ScaleResult r;
  if (opt.param.empty()) {
    usage_error("give the parameter to sweep: --param NAME=V1,V2,...");
    return 2;
  }
  if (!parse_param(opt.param, r.param, r.values) || !check_policies(opt.policies)) return 2;
  if (opt.repeat < 1) {
    usage_error("--repeat must be at least 1");
    return 2;
  }
  for (const auto& d : opt.run.defines) {
    if (d.rfind(r.param + "=", 0) == 0) {
      usage_error("-D {} and --param {} both set '{}': drop the -D", d, r.param, r.param);
      return 2;
    }
  }
  Sweep s{opt, nullptr, {}, {}};
  for (const auto& p : opt.policies) {
    RunOptions ro = opt.run;
    ro.policy = p;
    EngineOptions eo;
    if (!engine_options(ro, eo)) return 2;
    s.engines.push_back(std::move(eo));
  }
  if (!can_write_all({opt.csv_path, opt.json_path, opt.svg_path})) return 2;
  int load_status = 0;
  s.program = load_script(opt.run.script, load_status);
  if (!s.program) return load_status;

  r.script = opt.run.script;
  r.numbers = as_numbers(r.values);
  r.policies = opt.policies;
  r.engine = opt.run.engine;
  r.cores = opt.run.cores;
  r.seed = opt.run.seed;
  r.repeat = opt.repeat;
  s.result = std::move(r);

  int status;
  {
    StopSignals stop_signals;
    status = run_grid(s);
  }

  s.result.complete = status == 0;
  s.result.compute_speedups();
  fmt::print("{}", format_scale_table(s.result));
  std::fflush(stdout);
  bool written = write_outputs(opt, s.result);
  if (!written && status == 0) return 2;
  return status;
}

CLI::App* add_scale_command(CLI::App& app, std::function<int()>& run) {
  auto options = std::make_shared<ScaleOptions>();
  auto* cmd = app.add_subcommand(
      "scale", "Run a script over values of a parameter and policies; chart the speedup");
  cmd->add_option("script", options->run.script, "The script (.gil)")->required();
  cmd->add_option("--param", options->param, "NAME=V1,V2,...: the -D parameter to sweep")
      ->required();
  cmd->add_option("--policy", options->policies, "GIL policies, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--repeat", options->repeat, "Runs per cell; the median is reported")
      ->capture_default_str();
  add_run_flags(cmd, options->run, /*policy=*/false);
  cmd->add_option("--csv", options->csv_path, "Write one row per cell (CSV)");
  cmd->add_option("--json", options->json_path, "Write the results as JSON");
  cmd->add_option("--svg", options->svg_path, "Write the speedup chart (SVG)");
  cmd->add_flag("-q,--quiet", options->quiet, "No progress lines on stderr");
  run = [options] { return run_scale(*options); };
  return cmd;
}

}  // namespace gilsim
