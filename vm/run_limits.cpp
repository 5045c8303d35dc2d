#include "vm/run_limits.h"

#include "vm/errors.h"
#include "vm/thread_state.h"

namespace gilsim {

RunLimits::RunLimits(const Limits& limits)
    : limits_(limits), memory_(MemoryBudget::create(limits.max_memory)) {}

// The run's last interpreter is gone: whatever script object is still alive is kept so only by a
// reference cycle.
RunLimits::~RunLimits() {
  memory_->break_cycles();
  memory_->unhold();
}

void RunLimits::admit(bool process) {
  // CPython's words when the OS refuses a thread; a process has no such message of its own
  // (multiprocessing passes on the OS's OSError), so it says the same of a process.
  const char* refusal = process ? "can't start new process" : "can't start new thread";
  if (spawned_.load(std::memory_order_relaxed) >= limits_.max_spawns)
    raise("RuntimeError", refusal);
  if (live_threads_.fetch_add(1, std::memory_order_relaxed) >= limits_.max_threads) {
    live_threads_.fetch_sub(1, std::memory_order_relaxed);
    raise("RuntimeError", refusal);
  }
  if (process && live_processes_.fetch_add(1, std::memory_order_relaxed) >= limits_.max_processes) {
    live_processes_.fetch_sub(1, std::memory_order_relaxed);
    live_threads_.fetch_sub(1, std::memory_order_relaxed);
    raise("RuntimeError", refusal);
  }
  spawned_.fetch_add(1, std::memory_order_relaxed);
}

void RunLimits::cancel(bool process) {
  live_threads_.fetch_sub(1, std::memory_order_relaxed);
  if (process) live_processes_.fetch_sub(1, std::memory_order_relaxed);
  spawned_.fetch_sub(1, std::memory_order_relaxed);
}

void RunLimits::finished(bool process_done) {
  live_threads_.fetch_sub(1, std::memory_order_relaxed);
  if (process_done) live_processes_.fetch_sub(1, std::memory_order_relaxed);
}

void admit_spawn(ThreadState& parent, bool process) {
  parent.interp.limits->admit(process);
  // A thread runs in its parent's interpreter, which must not count as ended before it does.
  if (!process) parent.interp.live_threads.fetch_add(1, std::memory_order_relaxed);
}

void cancel_spawn(ThreadState& parent, bool process) {
  parent.interp.limits->cancel(process);
  if (!process) parent.interp.live_threads.fetch_sub(1, std::memory_order_relaxed);
}

void thread_started(ThreadState& ts) {
  if (ts.counted_live) return;
  ts.counted_live = true;
  // The first thread ever to run in an interpreter through a function is a process's main
  // thread (the run's own main thread runs the module instead), and nothing counted it yet.
  if (!ts.interp.entered) {
    ts.interp.entered = true;
    ts.interp.is_process = true;
    ts.interp.live_threads.fetch_add(1, std::memory_order_relaxed);
  }
}

void thread_finished(ThreadState& ts) {
  if (!ts.counted_live) return;
  ts.counted_live = false;
  bool last = ts.interp.live_threads.fetch_sub(1, std::memory_order_acq_rel) == 1;
  ts.interp.limits->finished(last && ts.interp.is_process);
}

}  // namespace gilsim
