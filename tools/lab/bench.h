// `gilsim bench`: figures measured side by side in one run, never asserted by a test.
#pragma once

#include <string>
#include <vector>

namespace gilsim {

struct BenchOptions {
  int repeat = 5;  // timed rounds per figure; the median is reported
  std::string python = "python3";
  std::string lua = "lua5.4";  // run too when installed, for the project's Lua 5.4 goal
  double scale = 1.0;          // multiplies the iteration counts (smaller for a quick look)
  std::string only;            // "eval", "gil", "trace", "sim" or "memory": one section; empty: all
};

int run_bench(const BenchOptions& options);
int run_eval_bench(const BenchOptions& options);   // issue 2: the eval loop beside python3, lua5.4
int run_gil_bench(const BenchOptions& options);    // issue 3: safe points, hand-off, many threads
int run_trace_bench(const BenchOptions& options);  // issue 4: recording cost, trace sizes and speed
int run_sim_bench(const BenchOptions& options);    // issue 6: simulated bytecodes/s, many threads
int run_memory_bench(const BenchOptions& options);  // issue 12: peak RSS beside python3

double median(std::vector<double> v);

// Pins the calling thread to one CPU (benchmarks and `gilsim calibrate`).
void pin_to(int cpu);
// One-way latency (µs, median) of a raw mutex + condition-variable hand-off between two OS
// threads pinned to cpu_a and cpu_b (the same CPU, or two), as docs/reference measured it.
// `busy_us`: each side first runs that long (spinning on the clock, the mutex free) before it
// passes the turn, as a GIL holder runs for its switch interval, and signals once the mutex is
// free; 0 is the plain ping-pong, signalling with the mutex held.
double raw_handoff_us(int rounds, int cpu_a, int cpu_b, double busy_us = 0);

// The script text of the count and arith loops of issue 2 (functions `count(n)` and `arith(n)`),
// which the eval and sim sections both measure.
std::string bench_loops();

}  // namespace gilsim
