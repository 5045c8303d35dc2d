// `gilsim compare`: one script under real CPython (through tools/gilsim_shim.py) and under
// gilsim's policies, each runner's printed output in a block of its own, then one table of wall
// times side by side. See docs/compare.md.
#include "tools/lab/compare.h"

#include <fmt/format.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "tools/cli/run_options.h"
#include "tools/cli/script_loader.h"
#include "tools/export/timeline_html.h"
#include "tools/lab/bench.h"
#include "tools/lab/captured_run.h"
#include "tools/lab/external_run.h"
#include "tools/lab/printed_numbers.h"
#include "tools/lab/source_path.h"

namespace gilsim {

namespace {

struct CompareOptions {
  RunOptions run;
  std::string policies;  // comma-separated
  bool cpython = false;
  std::string python = "python3";
  int repeat = 1;
  std::string timeline_path;  // every policy's (first) run in one page
};

// One column of the comparison: a runner, its times over the repeats, the first run's output.
struct Runner {
  std::string label;
  std::vector<double> walls;
  std::string output;
  int exit_code = 0;
  std::optional<CapturedRun> first;  // gilsim's first run, kept for --timeline
};

void print_block(const Runner& r, int repeat) {
  fmt::print("{}", r.output);
  if (!r.output.empty() && r.output.back() != '\n') fmt::print("\n");
  if (r.exit_code != 0) fmt::print("(exited with status {})\n", r.exit_code);
  if (repeat == 1) {
    fmt::print("wall {:.3f} s\n\n", r.walls.front());
    return;
  }
  std::string all;
  for (double w : r.walls) all += fmt::format(" {:.3f}", w);
  fmt::print("wall {:.3f} s (median of {}:{}; output above is of the first run)\n\n",
             median(r.walls), repeat, all);
}

// "wall_s 1.23" and "python 3.11.7" from the shim's --wall-file.
void read_wall_file(const std::string& path, std::optional<double>& wall, std::string& version) {
  std::ifstream in(path);
  std::string key;
  while (in >> key) {
    if (key == "wall_s") {
      double w;
      if (in >> w) wall = w;
    } else if (key == "python") {
      in >> version;
    }
  }
}

Runner run_cpython(const CompareOptions& opt, const std::string& python, const std::string& shim) {
  char wall_path[] = "/tmp/gilsim-compare-XXXXXX";
  int fd = mkstemp(wall_path);
  if (fd >= 0) close(fd);
  std::vector<std::string> argv = {python, shim, opt.run.script, "--wall-file", wall_path};
  for (const auto& d : opt.run.defines) argv.insert(argv.end(), {"-D", d});
  argv.insert(argv.end(), {"--switch-interval", opt.run.switch_interval});

  Runner r;
  std::string version;
  for (int k = 0; k < opt.repeat; ++k) {
    std::remove(wall_path);
    ExternalRun run = run_program(argv);
    std::optional<double> wall;
    read_wall_file(wall_path, wall, version);
    // Without the shim's figure (it failed early), the host's clock, start-up included.
    r.walls.push_back(wall.value_or(run.host_s));
    if (k == 0) r.output = run.output;
    if (run.exit_code != 0 && r.exit_code == 0) r.exit_code = run.exit_code;
    if (run.exit_code == 130 || run.exit_code == 128 + SIGINT) break;
  }
  std::remove(wall_path);
  r.label = version.empty() ? "CPython" : "CPython " + version;
  return r;
}

std::string gilsim_label(const std::string& policy, const RunOptions& run) {
  if (run.engine == "sim") return fmt::format("gilsim {} (sim, {} cores)", policy, run.cores);
  return fmt::format("gilsim {} ({})", policy, run.engine);
}

Runner run_gilsim(const CompareOptions& opt, const std::string& policy,
                  const std::shared_ptr<const Program>& program, const EngineOptions& base) {
  EngineOptions eo = base;
  eo.policy = policy;
  RunOptions for_policy = opt.run;
  for_policy.policy = policy;
  engine_options(for_policy, eo);  // checked before any run started
  Runner r;
  r.label = gilsim_label(policy, opt.run);
  for (int k = 0; k < opt.repeat; ++k) {
    CapturedRun run = run_captured(eo, program);
    r.walls.push_back(static_cast<double>(run.record.wall) / 1e9);
    if (k == 0) r.output = run.output;
    if (run.record.exit_code != 0 && r.exit_code == 0) r.exit_code = run.record.exit_code;
    bool stop = run.record.stop == StopCause::Interrupt;
    if (k == 0 && !opt.timeline_path.empty()) r.first = std::move(run);
    if (stop) break;
  }
  return r;
}

void print_table(const std::vector<Runner>& runners, bool cpython) {
  size_t width = 6;
  for (const auto& r : runners) width = std::max(width, r.label.size());
  std::string base_name = cpython ? "CPython" : runners.front().label;
  double base = median(runners.front().walls);
  std::string ratio_head = cpython ? "time vs CPython" : "time vs first";
  fmt::print("{:<{}}  {:>9}  {:>15}  {}\n", "runner", width, "wall s", ratio_head,
             "speedups it printed");
  for (const auto& r : runners) {
    double wall = median(r.walls);
    std::string ratio = base > 0 ? fmt::format("{:.2f}x", wall / base) : "-";
    std::string speedups;
    for (const auto& s : numbers_after_word(r.output, "speedup")) speedups += s + " ";
    if (r.exit_code != 0) speedups += fmt::format("(exit status {})", r.exit_code);
    fmt::print("{:<{}}  {:>9.3f}  {:>15}  {}\n", r.label, width, wall, ratio, speedups);
  }
  fmt::print("\n'time vs {}' is wall time divided by {}'s: below 1x is faster.\n", base_name,
             base_name);
}

// The interpreter and the shim, or an exit status (2) after saying what is missing.
int find_cpython(const CompareOptions& opt, std::string& python, std::string& shim) {
  auto found = find_program(opt.python);
  if (!found) {
    fmt::print(stderr,
               "gilsim compare: no Python interpreter '{}' found (install python3, or pass "
               "--python PATH)\n",
               opt.python);
    return 2;
  }
  python = *found;
  std::vector<std::string> tried;
  shim = find_source_file("tools/gilsim_shim.py", tried);
  if (shim.empty()) {
    std::string places;
    for (const auto& t : tried) places += "\n  " + t;
    fmt::print(stderr,
               "gilsim compare: cannot find the CPython shim tools/gilsim_shim.py; looked "
               "at:{}\n(it ships in gilsim's source tree; run the gilsim built in that tree)\n",
               places);
    return 2;
  }
  return 0;
}

int run_compare(CompareOptions opt) {
  std::vector<std::string> policies = split_commas(opt.policies);
  if (policies.empty())
    policies = opt.cpython ? std::vector<std::string>{"modern"}
                           : std::vector<std::string>{"modern", "none"};
  EngineOptions base;  // engine_options appends the -D values: each policy starts from this
  for (const auto& p : policies) {
    RunOptions check = opt.run;
    check.policy = p;
    EngineOptions scratch;
    if (!engine_options(check, scratch)) return 2;
  }
  if (!can_write_all({opt.timeline_path})) return 2;
  std::string python, shim;
  if (opt.cpython) {
    if (int status = find_cpython(opt, python, shim); status != 0) return status;
  }
  int exit_code = 0;
  auto program = load_script(opt.run.script, exit_code);
  if (!program) return exit_code;

  fmt::print(
      "gilsim compare: {}{}, {} run{} each\n\n", opt.run.script,
      opt.run.defines.empty() ? "" : " -D " + fmt::format("{}", fmt::join(opt.run.defines, " -D ")),
      opt.repeat, opt.repeat == 1 ? "" : "s");
  std::vector<Runner> runners;
  if (opt.cpython) {
    fmt::print("── CPython: {} {} ──\n", python, shim);
    std::fflush(stdout);
    runners.push_back(run_cpython(opt, python, shim));
    print_block(runners.back(), opt.repeat);
  }
  for (const auto& policy : policies) {
    if (interrupted()) break;
    fmt::print("── {} ──\n", gilsim_label(policy, opt.run));
    std::fflush(stdout);
    runners.push_back(run_gilsim(opt, policy, program, base));
    print_block(runners.back(), opt.repeat);
  }
  print_table(runners, opt.cpython);
  if (!opt.timeline_path.empty()) {
    std::vector<TimelineRun> runs;
    for (const auto& r : runners)
      if (r.first) runs.push_back({&r.first->record, &r.first->metrics});
    if (!write_file(opt.timeline_path,
                    [&](std::ostream& f) { write_compare_timeline_html(runs, f); }))
      return 2;
    fmt::print("timeline: {} (the {} runs on one time axis; open in a browser)\n",
               opt.timeline_path, runs.size());
  }
  for (const auto& r : runners) {
    if (r.exit_code == 128 + SIGINT || r.exit_code == 128 + SIGTERM || r.exit_code == 128 + SIGHUP)
      return r.exit_code;
    if (r.exit_code != 0) return r.exit_code == 124 ? 124 : 1;
  }
  return 0;
}

}  // namespace

CLI::App* add_compare_command(CLI::App& app, std::function<int()>& run) {
  auto opt = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand(
      "compare", "Run a script under gilsim's policies (and real CPython) side by side");
  cmd->add_option("script", opt->run.script, "The script (.gil, a subset of Python)")->required();
  cmd->add_option("--policy", opt->policies,
                  "Policies to run, comma-separated (default: modern with --cpython, else "
                  "modern,none)");
  cmd->add_flag("--cpython", opt->cpython,
                "Also run the script under real python3 (through tools/gilsim_shim.py)");
  cmd->add_option("--python", opt->python, "The Python interpreter for --cpython")
      ->capture_default_str();
  cmd->add_option("--repeat", opt->repeat, "Runs per runner; the median wall time is shown")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--timeline", opt->timeline_path,
                  "Write one HTML page with every policy's run on one time axis, a block of "
                  "lanes each");
  add_run_flags(cmd, opt->run, /*policy=*/false);
  run = [opt] { return run_compare(*opt); };
  return cmd;
}

}  // namespace gilsim
