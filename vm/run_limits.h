// RunLimits: what one run may use of the machine, and what it uses now.
//
// Every resource a script can exhaust has a limit here with a default, a flag of `gilsim run`
// and a Python exception raised in the script when it is reached (docs/language.md, "Limits"):
// threads alive at once, processes alive at once, threads started in all, and the bytes its
// objects hold (vm/memory_budget.h). Recursion depth (kRecursionLimit) and recorded events
// (--max-events) have their own. One RunLimits per run, shared by every process of it (they share
// one machine): the engine makes it for the main interpreter and hands it to each child.
//
// Thread-safety: the counters are atomics; the limits are set before the run starts.
#pragma once

#include <atomic>
#include <cstdint>

#include "vm/memory_budget.h"

namespace gilsim {

class ThreadState;

// No duration may take a run's clock past 100 days: the sim engine counts picoseconds in 64 bits
// (about 106 days), and both engines refuse alike (OverflowError in io, sleep, native...).
inline constexpr double kMaxClockMs = 100.0 * 24 * 3600 * 1000;

struct Limits {
  std::uint64_t max_memory = std::uint64_t{1} << 30;  // bytes held by script objects; 0: none
  int max_threads = 1000;   // script threads alive at once, all processes' (main ones too)
  int max_processes = 64;   // processes alive at once, besides the main one
  int max_spawns = 10'000;  // threads and processes started over the whole run
};

class RunLimits {
 public:
  explicit RunLimits(const Limits& limits = Limits{});
  ~RunLimits();
  RunLimits(const RunLimits&) = delete;
  RunLimits& operator=(const RunLimits&) = delete;

  const Limits& limits() const { return limits_; }
  MemoryBudget& memory() { return *memory_; }

  // spawn() and spawn_process() ask before the engine starts anything: RuntimeError ("can't
  // start new thread" / "can't start new process") past a limit, else the thread is counted.
  void admit(bool process);
  // Undoes admit() when the engine could not start it after all.
  void cancel(bool process);
  // A started thread finished; `process_done` when it was the last of its process.
  void finished(bool process_done);

  int live_threads() const { return live_threads_.load(std::memory_order_relaxed); }
  // Processes of the run alive besides the main one (spawn_process, child scripts).
  int live_processes() const { return live_processes_.load(std::memory_order_relaxed); }

 private:
  const Limits limits_;
  MemoryBudget* memory_;
  std::atomic<int> live_threads_{1};  // the main thread
  std::atomic<int> live_processes_{0};
  std::atomic<int> spawned_{0};
};

// The thread counts, kept by the VM so both engines count alike: spawn() and spawn_process() call
// admit_spawn before the host starts anything (and cancel_spawn if the host failed); the entry
// function of a spawned thread calls thread_started, and thread_finished when it returns.
void admit_spawn(ThreadState& parent, bool process);
void cancel_spawn(ThreadState& parent, bool process);
void thread_started(ThreadState& ts);
void thread_finished(ThreadState& ts);

}  // namespace gilsim
