#include "tools/cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

#include "tools/bench.h"
#include "tools/script_loader.h"
#include "vm/direct_host.h"
#include "vm/disassembler.h"
#include "vm/interpreter.h"
#include "vm/objects.h"
#include "vm/pyformat.h"

namespace gilsim {

namespace {

// -D NAME=VALUE: the value is an int if it reads as one, else a float, else a str (as the shim does).
Value parse_define_value(const std::string& text) {
  if (auto i = parse_int(text)) return Value::integer(*i);
  if (auto f = parse_float(text)) return Value::floating(*f);
  return make_str(text);
}

struct RunOptions {
  std::string script;
  std::vector<std::string> defines;
  std::uint64_t max_steps = 0;
};

int cmd_run(const RunOptions& opt) {
  int exit_code = 0;
  auto program = load_script(opt.script, exit_code);
  if (!program) return exit_code;
  DirectHost host;
  host.set_echo(true);
  Interp interp(program, host);
  for (const auto& d : opt.defines) {
    auto eq = d.find('=');
    if (eq == std::string::npos || eq == 0) {
      fmt::print(stderr, "gilsim: -D expects NAME=VALUE, got '{}'\n", d);
      return 2;
    }
    interp.params.emplace_back(d.substr(0, eq), parse_define_value(d.substr(eq + 1)));
  }
  ThreadState ts(interp, "MainThread", 0);
  ts.max_steps = opt.max_steps;
  RunResult result = run_module(ts);
  std::fflush(stdout);
  if (result.failure) {
    fmt::print(stderr, "{}", format_traceback(*program, *result.failure));
    return 1;
  }
  return 0;
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
  run_cmd->add_option("--max-steps", run.max_steps,
                      "Stop with an error after about N bytecodes (0: no limit)");

  std::string dis_script;
  bool dis_opcodes = false;
  auto* dis_cmd = app.add_subcommand("dis", "Disassemble a script's bytecode");
  dis_cmd->add_option("script", dis_script, "The script");
  dis_cmd->add_flag("--opcodes", dis_opcodes, "List the opcode table instead");

  BenchOptions bench;
  auto* bench_cmd = app.add_subcommand("bench", "Measure the interpreter beside python3 (and lua5.4)");
  bench_cmd->add_option("--repeat", bench.repeat, "Timed rounds per figure (median reported)")
      ->check(CLI::Range(1, 1000));
  bench_cmd->add_option("--python", bench.python, "The python3 to compare with");
  bench_cmd->add_option("--scale", bench.scale, "Multiply iteration counts (e.g. 0.1 for a quick run)")
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
  return 2;
}

}  // namespace gilsim
