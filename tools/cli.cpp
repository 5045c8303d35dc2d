#include "tools/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>

#include "gil/metrics.h"
#include "gil/thread_engine.h"
#include "tools/bench.h"
#include "tools/report.h"
#include "tools/script_loader.h"
#include "tools/timeline_html.h"
#include "tools/trace_check.h"
#include "tools/trace_export.h"
#include "vm/disassembler.h"

namespace gilsim {

namespace {

// Set by SIGINT; the one piece of process-wide state, as a signal handler allows nothing else.
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

struct RunOptions {
  std::string script;
  std::vector<std::string> defines;
  std::uint64_t max_steps = 0;
  std::string policy = "modern";
  std::string switch_interval = "5ms";
  std::int64_t check_interval = 100;
  std::string quantum = "100ms";
  std::string timer_tick = "10ms";
  std::string timeout;
  std::string json_path;
  std::string trace_path;
  std::string csv_path;
  std::string timeline_path;
  std::uint64_t max_events = 10'000'000;
  bool quiet = false;
};

bool duration_option(const std::string& flag, const std::string& text, Nanos& out) {
  std::string error;
  if (parse_duration(text, out, error)) return true;
  fmt::print(stderr, "gilsim: {}: {}\n", flag, error);
  return false;
}

// Checks the options and fills the engine's. False (after saying why) on bad input.
bool engine_options(const RunOptions& opt, EngineOptions& eo) {
  if (!make_policy(opt.policy, eo.params)) {
    std::string names;
    for (const auto& p : policy_catalog()) names += (names.empty() ? "" : ", ") + p.name;
    fmt::print(stderr, "gilsim: unknown policy '{}' (one of: {})\n", opt.policy, names);
    return false;
  }
  eo.policy = opt.policy;
  if (!duration_option("--switch-interval", opt.switch_interval, eo.params.switch_interval) ||
      !duration_option("--quantum", opt.quantum, eo.params.quantum) ||
      !duration_option("--timer-tick", opt.timer_tick, eo.params.timer_tick))
    return false;
  if (!opt.timeout.empty() && !duration_option("--timeout", opt.timeout, eo.timeout)) return false;
  if (opt.check_interval < 1) {
    fmt::print(stderr, "gilsim: --check-interval must be at least 1\n");
    return false;
  }
  eo.params.check_interval = opt.check_interval;
  eo.max_steps = opt.max_steps;
  eo.max_events = opt.max_events;
  for (const auto& d : opt.defines) {
    auto eq = d.find('=');
    if (eq == std::string::npos || eq == 0) {
      fmt::print(stderr, "gilsim: -D expects NAME=VALUE, got '{}'\n", d);
      return false;
    }
    eo.defines.emplace_back(d.substr(0, eq), d.substr(eq + 1));
  }
  return true;
}

// Writes through a temporary file renamed into place, so a reader never sees half a file and a
// failed write never leaves one behind. False (after saying why) when it cannot be written.
bool write_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) {
      fmt::print(stderr, "gilsim: cannot write '{}'\n", path);
      return false;
    }
    write(f);
    f.flush();
    if (!f) {
      fmt::print(stderr, "gilsim: writing '{}' failed\n", path);
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    fmt::print(stderr, "gilsim: cannot write '{}'\n", path);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

int cmd_run(const RunOptions& opt) {
  EngineOptions eo;
  if (!engine_options(opt, eo)) return 2;
  int exit_code = 0;
  auto program = load_script(opt.script, exit_code);
  if (!program) return exit_code;
  eo.interrupted = [] { return g_interrupted != 0; };
  auto previous = std::signal(SIGINT, on_sigint);
  ThreadEngine engine(eo);
  RunRecord run = engine.run(program);
  std::signal(SIGINT, previous);
  std::fflush(stdout);
  Metrics metrics = compute_metrics(run);
  if (run.stop == StopCause::Deadlock) fmt::print(stderr, "gilsim: {}", run.deadlock_report);
  if (run.stop == StopCause::Timeout)
    fmt::print(stderr, "gilsim: stopped by --timeout {} (results so far below)\n", opt.timeout);
  if (run.stop == StopCause::Interrupt) fmt::print(stderr, "gilsim: interrupted (Ctrl-C)\n");
  if (!opt.quiet) fmt::print(stderr, "{}", format_summary(run, metrics));
  // Written whatever way the run ended: the engine always stops cleanly first.
  bool written = true;
  if (!opt.json_path.empty())
    written &= write_file(
        opt.json_path, [&](std::ostream& f) { f << results_json(run, metrics).dump(2) << '\n'; });
  if (!opt.trace_path.empty())
    written &=
        write_file(opt.trace_path, [&](std::ostream& f) { write_chrome_trace(run, metrics, f); });
  if (!opt.csv_path.empty())
    written &= write_file(opt.csv_path, [&](std::ostream& f) { write_state_csv(run, f); });
  if (!opt.timeline_path.empty())
    written &= write_file(opt.timeline_path,
                          [&](std::ostream& f) { write_timeline_html(run, metrics, f); });
  if (!written && run.exit_code == 0) return 2;
  return run.exit_code;
}

int cmd_dis(const std::string& script, bool opcodes) {
  if (opcodes) {
    fmt::print("{}", opcode_table());
    return 0;
  }
  int exit_code = 0;
  auto program = load_script(script, exit_code);
  if (!program) return exit_code;
  fmt::print("{}", disassemble(*program));
  return 0;
}

int cmd_check(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "gilsim: cannot open '{}'\n", path);
    return 2;
  }
  nlohmann::json trace = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (trace.is_discarded()) {
    fmt::print(stderr, "{}: not valid JSON\n", path);
    return 1;
  }
  auto problems = check_trace(trace);
  for (const auto& p : problems) fmt::print("{}: {}\n", path, p);
  if (problems.empty()) fmt::print("{}: ok, every invariant holds\n", path);
  return problems.empty() ? 0 : 1;
}

int cmd_policies() {
  for (const auto& p : policy_catalog()) {
    fmt::print("{}\n  models:     {}\n  parameters: {}\n  source:     {}\n\n", p.name, p.models,
               p.parameters, p.source);
  }
  fmt::print(
      "Each has a page in docs/policies/. Choose one with: gilsim run SCRIPT --policy NAME\n");
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"gilsim: a simulator of Python's global interpreter lock", "gilsim"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "gilsim 0.1.0");

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run a script");
  run_cmd->add_option("script", run.script, "The script (.gil, a subset of Python)")->required();
  run_cmd->add_option("-D,--define", run.defines, "NAME=VALUE for param(NAME, default)")
      ->allow_extra_args(false);
  run_cmd->add_option("--policy", run.policy, "GIL policy (see: gilsim policies)")
      ->capture_default_str();
  run_cmd
      ->add_option("--switch-interval", run.switch_interval,
                   "modern/fifo/io-priority: the switch interval")
      ->capture_default_str();
  run_cmd->add_option("--check-interval", run.check_interval, "legacy: ticks between releases")
      ->capture_default_str();
  run_cmd->add_option("--quantum", run.quantum, "gvl: time slice")->capture_default_str();
  run_cmd->add_option("--timer-tick", run.timer_tick, "gvl: timer period")->capture_default_str();
  run_cmd->add_option("--timeout", run.timeout, "Stop the run after this long (exit 124)");
  run_cmd->add_option("--json", run.json_path, "Write the results as JSON to this file");
  run_cmd->add_option("--trace", run.trace_path,
                      "Write a Perfetto / chrome://tracing trace (JSON)");
  run_cmd->add_option("--csv", run.csv_path, "Write one row per thread state interval (CSV)");
  run_cmd->add_option("--timeline", run.timeline_path, "Write a self-contained HTML timeline");
  run_cmd->add_flag("-q,--quiet", run.quiet, "No summary table after the run");
  run_cmd
      ->add_option("--max-events", run.max_events,
                   "Stop recording after N events (24 bytes each; 0: no cap)")
      ->capture_default_str();
  run_cmd->add_option("--max-steps", run.max_steps,
                      "Stop a thread with an error after about N bytecodes (0: no limit)");
  auto* policies_cmd = app.add_subcommand("policies", "List the GIL policies");
  std::string check_path;
  auto* check_cmd =
      app.add_subcommand("check", "Check a trace gilsim wrote against the run invariants");
  check_cmd->add_option("trace", check_path, "The trace (.json) written with --trace")->required();

  std::string dis_script;
  bool dis_opcodes = false;
  auto* dis_cmd = app.add_subcommand("dis", "Disassemble a script's bytecode");
  dis_cmd->add_option("script", dis_script, "The script");
  dis_cmd->add_flag("--opcodes", dis_opcodes, "List the opcode table instead");

  BenchOptions bench;
  auto* bench_cmd =
      app.add_subcommand("bench", "Measure the interpreter beside python3 (and lua5.4)");
  bench_cmd->add_option("--repeat", bench.repeat, "Timed rounds per figure (median reported)")
      ->check(CLI::Range(1, 1000));
  bench_cmd->add_option("--python", bench.python, "The python3 to compare with");
  bench_cmd->add_option("--only", bench.only, "One section: eval, gil or trace")
      ->check(CLI::IsMember({"eval", "gil", "trace"}));
  bench_cmd
      ->add_option("--scale", bench.scale, "Multiply iteration counts (e.g. 0.1 for a quick run)")
      ->check(CLI::Range(0.001, 100.0));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (*run_cmd) return cmd_run(run);
  if (*dis_cmd) {
    if (dis_script.empty() && !dis_opcodes) {
      fmt::print(stderr, "gilsim dis: give a script, or --opcodes\n");
      return 2;
    }
    return cmd_dis(dis_script, dis_opcodes);
  }
  if (*bench_cmd) return run_bench(bench);
  if (*policies_cmd) return cmd_policies();
  if (*check_cmd) return cmd_check(check_path);
  return 2;
}

}  // namespace gilsim
