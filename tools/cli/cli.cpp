#include "tools/cli/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "gil/engines/engine.h"
#include "gil/policies/catalog.h"
#include "gil/record/metrics.h"
#include "tools/cli/busy_host.h"
#include "tools/cli/run_options.h"
#include "tools/cli/script_loader.h"
#include "tools/export/gzip_stream.h"
#include "tools/export/report.h"
#include "tools/export/timeline_html.h"
#include "tools/export/trace_check.h"
#include "tools/export/trace_export.h"
#include "tools/lab/bench.h"
#include "tools/lab/calibrate.h"
#include "tools/lab/compare.h"
#include "tools/lab/crosscheck.h"
#include "tools/lab/demo.h"
#include "tools/lab/fidelity.h"
#include "tools/lab/scale.h"
#include "vm/disassembler.h"

namespace gilsim {

namespace {

int cmd_run(const RunOptions& opt) {
  EngineOptions eo;
  if (!engine_options(opt, eo)) return 2;
  if (!can_write_all({opt.json_path, opt.trace_path, opt.csv_path, opt.timeline_path})) return 2;
  int exit_code = 0;
  auto program = load_script(opt.script, exit_code);
  if (!program) {
    // Nothing ran, so there is no trace or result to write; say so rather than leave the reader
    // of a missing file to guess.
    if (!opt.json_path.empty() || !opt.trace_path.empty() || !opt.csv_path.empty() ||
        !opt.timeline_path.empty())
      fmt::print(stderr, "gilsim: no --trace or --json written: the script did not run\n");
    return exit_code;
  }
  RunRecord run;
  double cpu_s = 0;
  {
    StopSignals stop_signals;
    double cpu_before = process_cpu_seconds();
    run = make_engine(eo)->run(program);
    cpu_s = process_cpu_seconds() - cpu_before;
  }
  std::fflush(stdout);
  Metrics metrics = compute_metrics(run);
  if (run.stop == StopCause::Interrupt) run.exit_code = interrupt_exit_code();
  fmt::print(stderr, "{}", format_stop_note(run, opt.timeout));
  // The busy-host note is about the summary's figures: with -q there are none to warn about, and
  // stderr holds only what the script itself caused (tests compare it line by line).
  if (!opt.quiet) {
    fmt::print(stderr, "{}", format_summary(run, metrics));
    if (auto note = busy_host_warning(run, cpu_s, usable_cores())) fmt::print(stderr, "{}", *note);
  }
  // Written whatever way the run ended: the engine always stops cleanly first.
  bool written = write_run_outputs(opt, run, metrics);
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
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string why;
  if (!maybe_gunzip(text, why)) {  // a .json.gz trace is read as Perfetto reads it
    fmt::print(stderr, "{}: {}\n", path, why);
    return 1;
  }
  nlohmann::json trace = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
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
  run_cmd->add_option("script", run.script, "The script (Python: see docs/language.md)")
      ->required();
  run_cmd->add_option("args", run.script_args,
                      "Arguments for the script, its sys.argv[1:] (after --, also ones that "
                      "begin with -)");
  add_run_flags(run_cmd, run);
  add_output_flags(run_cmd, run);
  run_cmd->add_flag("-q,--quiet", run.quiet, "No summary table after the run");
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
  bench_cmd->add_option("--only", bench.only, "One section: eval, gil, trace, sim or memory")
      ->check(CLI::IsMember({"eval", "gil", "trace", "sim", "memory"}));
  bench_cmd
      ->add_option("--scale", bench.scale,
                   "Multiply iteration counts (e.g. 0.1 for a quick run; below 1 the many-thread "
                   "parts shrink too)")
      ->check(CLI::Range(0.001, 100.0));

  // Commands that live in a file of their own: each adds its flags and says what runs it.
  std::function<int()> scale_run, compare_run, demo_run, crosscheck_run, fidelity_run,
      calibrate_run;
  auto* scale_cmd = add_scale_command(app, scale_run);
  auto* compare_cmd = add_compare_command(app, compare_run);
  auto* demo_cmd = add_demo_command(app, demo_run);
  auto* crosscheck_cmd = add_crosscheck_command(app, crosscheck_run);
  auto* fidelity_cmd = add_fidelity_command(app, fidelity_run);
  auto* calibrate_cmd = add_calibrate_command(app, calibrate_run);

  // CLI11 would answer an unknown first word with "A subcommand is required", which does not say
  // what was wrong: name the word and the commands there are.
  if (argc > 1 && argv[1][0] != '-') {
    std::string word = argv[1], names;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      known |= sub->check_name(word);
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      fmt::print(stderr, "gilsim: '{}' is not a gilsim command (one of: {}); see gilsim --help\n",
                 word, names);
      return 2;
    }
  }

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
  if (*scale_cmd) return scale_run();
  if (*compare_cmd) return compare_run();
  if (*demo_cmd) return demo_run();
  if (*crosscheck_cmd) return crosscheck_run();
  if (*fidelity_cmd) return fidelity_run();
  if (*calibrate_cmd) return calibrate_run();
  if (*policies_cmd) return cmd_policies();
  if (*check_cmd) return cmd_check(check_path);
  return 2;
}

}  // namespace gilsim
