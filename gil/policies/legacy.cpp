// legacy: the GIL of CPython 2.x and 3.0–3.1 (Python/ceval.c, PyEval_EvalFrameEx, Python 2.7).
//
// The interpreter counts down `_Py_Ticker` at the top of its loop after every instruction that did
// not `goto fast_next_opcode` (opcodes.def marks which ones tick). When it goes below zero, every
// sys.getcheckinterval() ticks (default 100), the holder does
//     PyThread_release_lock(interpreter_lock);
//     /* Other threads may run now */
//     PyThread_acquire_lock(interpreter_lock, 1);
// Release, then re-acquire at once: there is no hand-off. A waiter is only signalled; by the time
// the OS has woken it (microseconds on another core) the releasing thread, still on its CPU, has
// usually taken the lock back, and the waiter finds it held again: a failed acquisition. That is
// the behaviour David Beazley measured in 2009–2010 (two CPU-bound threads slower than one on a
// multicore machine); here it emerges from the real race rather than being scripted.
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

class LegacyPolicy final : public Policy {
 public:
  explicit LegacyPolicy(const PolicyParams& p) : check_interval_(p.check_interval) {}
  std::string_view name() const override { return "legacy"; }
  bool counts_ticks() const override { return true; }
  std::int64_t check_interval() const override { return check_interval_; }

  // PyThread_acquire_lock: whoever finds the lock free takes it, queue or no queue.
  bool may_take_now(const GilState& gil, int, Reason) const override { return gil.holder < 0; }

 private:
  std::int64_t check_interval_;
};

}  // namespace

std::unique_ptr<Policy> make_legacy_policy(const PolicyParams& params) {
  return std::make_unique<LegacyPolicy>(params);
}

}  // namespace gilsim
