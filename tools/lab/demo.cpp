// `gilsim demo`: the lecture demos of tools/lab/demo_catalog.h, run one at a time (or all in order)
// through the same path as `gilsim run`, each saying beforehand what to watch and afterwards
// what to notice, with the numbers it got. See docs/demos.md.
#include "tools/lab/demo.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "tools/cli/run_options.h"
#include "tools/cli/script_loader.h"
#include "tools/export/report.h"
#include "tools/lab/captured_run.h"
#include "tools/lab/demo_catalog.h"
#include "tools/lab/source_path.h"

namespace gilsim {

namespace {

struct DemoOptions {
  RunOptions run;  // engine, cores, -D, intervals...: shared by every run of a demo
  std::string name;
  bool list = false;
  bool all = false;
  bool quick = false;
  std::string out_dir = "gilsim-demo";
};

std::string demo_names() {
  std::string names;
  for (const auto& d : demo_catalog()) names += (names.empty() ? "" : ", ") + d.name;
  return names;
}

int list_demos() {
  int k = 1;
  for (const auto& d : demo_catalog()) fmt::print("{:<15} {}. {}\n", d.name, k++, d.title);
  return 0;
}

// The -D list of one run: the user's first (the first -D of a name wins), then --quick's, then
// the demo's own. Later ones for a name already given are left out, so the `gilsim run` line
// shown is the one that ran.
std::vector<std::string> defines_for(const DemoOptions& opt, const DemoRun& run) {
  std::vector<std::string> all = opt.run.defines;
  if (opt.quick) all.insert(all.end(), run.quick.begin(), run.quick.end());
  all.insert(all.end(), run.defines.begin(), run.defines.end());
  std::vector<std::string> kept, names;
  for (const auto& d : all) {
    std::string name = d.substr(0, d.find('='));
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    names.push_back(name);
    kept.push_back(d);
  }
  return kept;
}

// The script's path as the `gilsim run` line names it: relative to the repository when the user
// stands in it (short, as the docs write it), else the path where it was found, so the line runs
// from any directory. Quoted for the shell when it holds anything but plain path characters.
std::string shown_script_path(const std::string& relative, const std::string& found) {
  std::error_code ec;
  std::string path = std::filesystem::equivalent(relative, found, ec) ? relative : found;
  if (path.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+") ==
      std::string::npos)
    return path;
  std::string quoted = "'";
  for (char c : path) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The `gilsim run` line that repeats this run by hand.
std::string command_line(const DemoOptions& opt, const DemoRun& run, const std::string& script,
                         const std::vector<std::string>& defines) {
  std::string line =
      fmt::format("gilsim run {} --policy {}", shown_script_path(run.script, script), run.policy);
  for (const auto& d : defines) line += " -D " + d;
  if (opt.run.engine != "threads")
    line += fmt::format(" --engine {} --cores {}", opt.run.engine, opt.run.cores);
  return line;
}

void print_indented(const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    fmt::print("  {}\n", text.substr(start, end - start));
    start = end + 1;
  }
}

// Runs one run of a demo; false when it could not (the reason said), `exit_code` then set.
bool run_one(const DemoOptions& opt, const Demo& demo, const DemoRun& run, DemoResult& result,
             int& exit_code) {
  std::vector<std::string> tried;
  std::string script = find_source_file(run.script, tried);
  if (script.empty()) {
    fmt::print(stderr, "gilsim demo: cannot find {} (looked at: {})\n", run.script,
               fmt::join(tried, ", "));
    exit_code = 2;
    return false;
  }
  RunOptions ro = opt.run;
  ro.script = script;
  ro.policy = run.policy;
  ro.defines = defines_for(opt, run);
  std::string base = (std::filesystem::path(opt.out_dir) / (demo.name + "-" + run.label)).string();
  ro.trace_path = base + ".json";
  ro.timeline_path = base + ".html";
  EngineOptions eo;
  if (!engine_options(ro, eo)) {
    exit_code = 2;
    return false;
  }
  auto program = load_script(script, exit_code);
  if (!program) return false;

  fmt::print("── {}: {}\n", run.label, command_line(opt, run, script, ro.defines));
  std::fflush(stdout);
  CapturedRun done = run_captured(eo, program);
  print_indented(done.output);
  fmt::print("{}", format_summary(done.record, done.metrics));
  if (!write_run_outputs(ro, done.record, done.metrics)) {
    exit_code = 2;
    return false;
  }
  fmt::print("  trace:    {}  (open in https://ui.perfetto.dev or chrome://tracing)\n",
             ro.trace_path);
  fmt::print("  timeline: {}  (open in a browser)\n\n", ro.timeline_path);
  result.output = done.output;
  result.metrics = done.metrics;
  exit_code = done.record.exit_code;
  return exit_code == 0;
}

int run_demo(const DemoOptions& opt, const Demo& demo, int number) {
  fmt::print("════ demo {}/{}: {} — {}\n", number, demo_catalog().size(), demo.name, demo.title);
  fmt::print("What it shows: {}\n\n", demo.shows);
  std::vector<DemoResult> results(demo.runs.size());
  for (size_t k = 0; k < demo.runs.size(); ++k) {
    int exit_code = 0;
    if (!run_one(opt, demo, demo.runs[k], results[k], exit_code)) {
      fmt::print(stderr, "gilsim demo: {} stopped: its run '{}' {}\n", demo.name,
                 demo.runs[k].label,
                 exit_code == 2 ? "could not start" : fmt::format("exited {}", exit_code));
      return exit_code == 0 ? 1 : exit_code;
    }
  }
  fmt::print("What to notice:\n");
  print_indented(demo.notice(results));
  fmt::print("\n");
  return 0;
}

int run_demos(const DemoOptions& opt) {
  if (opt.list) return list_demos();
  const auto& demos = demo_catalog();
  if (opt.name.empty() && !opt.all) {
    fmt::print("The lecture demos, in teaching order:\n\n");
    list_demos();
    fmt::print(
        "\nRun one with:   gilsim demo NAME         (e.g. gilsim demo {})\n"
        "Run all:        gilsim demo --all\n"
        "Deterministic:  add --engine sim --cores 2 (for a noisy or small laptop)\n",
        demos.front().name);
    return 0;
  }
  std::error_code ec;
  std::filesystem::create_directories(opt.out_dir, ec);
  if (ec) {
    fmt::print(stderr, "gilsim demo: cannot create --out folder '{}': {}\n", opt.out_dir,
               ec.message());
    return 2;
  }
  for (size_t k = 0; k < demos.size(); ++k) {
    if (!opt.all && demos[k].name != opt.name) continue;
    int status = run_demo(opt, demos[k], static_cast<int>(k) + 1);
    if (status != 0 || !opt.all) return status;
  }
  return 0;
}

}  // namespace

CLI::App* add_demo_command(CLI::App& app, std::function<int()>& run) {
  auto opt = std::make_shared<DemoOptions>();
  // Demos model the lecture machine (2 cores under --engine sim). The event cap (~100 MB) only
  // guards memory: the demos' sizes keep their traces to a few MB.
  opt->run.cores = 2;
  opt->run.max_events = 4'000'000;
  auto* cmd = app.add_subcommand("demo", "The lecture demos, in teaching order (--list)");
  cmd->add_option("name", opt->name, "The demo to run (see --list)");
  cmd->add_flag("--list", opt->list, "List the demos in teaching order");
  cmd->add_flag("--all", opt->all, "Run every demo, in order");
  cmd->add_flag("--quick", opt->quick, "Smaller sizes (seconds under --engine sim; for tests)");
  cmd->add_option("--out", opt->out_dir, "Folder for the traces and timelines (created)")
      ->capture_default_str();
  add_run_flags(cmd, opt->run, /*policy=*/false);
  run = [opt] {
    if (!opt->name.empty()) {
      bool known = false;
      for (const auto& d : demo_catalog()) known |= d.name == opt->name;
      if (!known) {
        fmt::print(stderr, "gilsim demo: unknown demo '{}' (one of: {})\n", opt->name,
                   demo_names());
        return 2;
      }
    }
    return run_demos(*opt);
  };
  return cmd;
}

}  // namespace gilsim
