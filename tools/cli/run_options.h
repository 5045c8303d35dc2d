// The options every command that runs a script shares (run, scale, compare, demo): their flags,
// their checks, and the files a run writes.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "gil/engines/engine.h"
#include "gil/record/metrics.h"

namespace gilsim {

struct RunOptions {
  std::string script;
  std::vector<std::string> script_args;  // `gilsim run SCRIPT ARGS...`: sys.argv[1:]
  std::vector<std::string> defines;
  std::uint64_t max_steps = 0;
  std::string policy = "modern";
  std::string switch_interval = "5ms";
  std::int64_t check_interval = 100;
  std::string quantum = "100ms";
  std::string timer_tick = "10ms";
  std::vector<std::string> gil_params;  // --gil-param KEY=VALUE (policy_param_keys())
  std::string engine = "threads";
  int cores = 4;
  std::uint64_t seed = 1;
  std::string profile;  // --profile: a machine profile for the sim engine (gilsim calibrate)
  std::string timeout;
  std::string json_path;
  std::string trace_path;
  std::string csv_path;
  std::string timeline_path;
  std::uint64_t max_events = 10'000'000;
  // The run's resource limits (vm/run_limits.h, docs/language.md "Limits").
  std::string max_memory = "1G";
  int max_threads = Limits{}.max_threads;
  int max_processes = Limits{}.max_processes;
  int max_spawns = Limits{}.max_spawns;
  bool quiet = false;
};

// The flags that shape a run: -D, the policy and its parameters, the engine, limits. `policy`
// false leaves --policy out (scale and compare take a list instead).
void add_run_flags(CLI::App* cmd, RunOptions& opt, bool policy = true);
// The flags that name output files: --json, --trace, --csv, --timeline.
void add_output_flags(CLI::App* cmd, RunOptions& opt);

// Checks the options and fills the engine's. False (after saying why on stderr) on bad input.
bool engine_options(const RunOptions& opt, EngineOptions& eo);
// --gil-param KEY=VALUE into params.extra; false (with a message) on an unknown key or value.
bool gil_param_options(const std::vector<std::string>& given, PolicyParams& params);

// While a StopSignals lives, SIGINT (Ctrl-C), SIGTERM (timeout, docker stop, CI cancellation)
// and SIGHUP (a closed terminal) stop the run cleanly instead of killing gilsim: the engine
// stops, the summary and every output file are written, stdout is flushed, and the exit status
// is 128 + the signal (130, 143, 129). The signal that came is the one piece of process-wide
// state, as a signal handler allows nothing else; the previous handlers come back after.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  void (*previous_[3])(int);
};
bool interrupted();
// 128 + the signal that stopped the run (130 when none came, as Ctrl-C's), and its name.
int interrupt_exit_code();
const char* interrupt_name();

// Writes through a temporary file renamed into place, so a reader never sees half a file and a
// failed write never leaves one behind. False (after saying why) when it cannot be written.
bool write_file(const std::string& path, const std::function<void(std::ostream&)>& write);

// Whether `path` can be written (by write_file), checked before a run so a typo in an output path
// does not cost the whole run; says why not (the OS's reason) on stderr. can_write_all skips empty
// paths (flags not given) and checks every path, so each bad one is named.
bool can_write(const std::string& path);
bool can_write_all(std::initializer_list<std::string_view> paths);

// Writes the files opt names (--json, --trace, --csv, --timeline). False if one failed.
bool write_run_outputs(const RunOptions& opt, const RunRecord& run, const Metrics& metrics);

// "modern,,gvl" -> {"modern", "gvl"}: the comma-separated lists of --policy and the like.
std::vector<std::string> split_commas(const std::string& text);

}  // namespace gilsim
