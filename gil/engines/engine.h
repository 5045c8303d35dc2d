// Engine: what runs a program's script threads, and the options every engine takes.
//
// Two engines implement the VM's Host interface with the very same Policy objects:
//   threads  every script thread is an OS thread; real clock, real cores
//   (gil/engines/thread_engine.h) sim      virtual threads on N virtual cores, a virtual clock and
//   a small model of the OS
//            scheduler; deterministic (gil/engines/sim_engine.h, docs/engines.md)
// Both record the same events, so metrics, --json, traces and timelines work on either.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gil/core/policy.h"
#include "gil/engines/sim_params.h"
#include "gil/policies/catalog.h"
#include "gil/record/run_record.h"
#include "vm/code.h"
#include "vm/host.h"
#include "vm/run_limits.h"

namespace gilsim {

struct ProcessStreams;  // gil/engines/child_script.h

struct EngineOptions {
  std::string engine = "threads";  // "threads" or "sim"
  std::string policy = "modern";
  PolicyParams params;
  SimParams sim;                          // the sim engine's (gil/engines/sim_params.h)
  Nanos timeout = 0;                      // 0: none (sim: virtual time)
  std::uint64_t max_steps = 0;            // per thread; 0: none
  std::uint64_t max_events = 10'000'000;  // recording stops here (24 bytes each); 0: no cap
  Limits limits;                          // threads, processes, memory (vm/run_limits.h)
  // For benchmarks: script thread k runs pinned to CPU pin_cpus[k % size]; empty: the OS places.
  std::vector<int> pin_cpus;
  std::vector<std::pair<std::string, std::string>> defines;
  // sys.argv of the main interpreter (`gilsim run SCRIPT ARGS...`); empty: [the script's path].
  std::vector<std::string> argv;
  // Polled about every 20 ms (of host time) by the engine: true stops the run (Ctrl-C).
  std::function<bool()> interrupted;
  // Where print() and error reports go; captured in memory when null (tests).
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

// A -D value as param() returns it: an int if it reads as one, else a float, else the string.
Value define_value(const std::string& text);

// The name a thread started without one gets, as Python 3.10+ names it: "Thread-N (target)",
// N counting per process (`counter`).
std::string default_thread_name(int& counter, const Value& fn);

// A new process's GIL (spawn_process, a child script): made with the run's policy, named, given the
// process's output streams (subproc13) and appended to the engine's table; its index there. Each
// engine has a Gil type of its own, built from a policy and a switch interval.
template <class Gil>
int add_process_gil(std::vector<std::unique_ptr<Gil>>& gils, const EngineOptions& options,
                    std::string process, std::shared_ptr<ProcessStreams> streams) {
  auto g = std::make_unique<Gil>(make_policy(options.policy, options.params),
                                 options.params.switch_interval);
  g->process = std::move(process);
  g->streams = std::move(streams);
  gils.push_back(std::move(g));
  return static_cast<int>(gils.size()) - 1;
}

class Engine : public Host {
 public:
  // Runs the program's module on the main script thread and waits for every thread to finish
  // (or for the run to be stopped). Call once.
  virtual RunRecord run(std::shared_ptr<const Program> program) = 0;
  // What print() and error reports wrote, when options.out / options.err were null.
  virtual std::string captured_output() const = 0;
  virtual std::string captured_errors() const = 0;
};

// The engine options.engine names, or nullptr if there is none.
std::unique_ptr<Engine> make_engine(const EngineOptions& options);
const std::vector<std::string>& engine_names();

}  // namespace gilsim
