#include "gil/policy.h"

#include "gil/policies/policies.h"

namespace gilsim {

const Waiter* GilState::find(int thread) const {
  for (const Waiter& w : waiters)
    if (w.thread == thread) return &w;
  return nullptr;
}

Waiter* GilState::find(int thread) {
  for (Waiter& w : waiters)
    if (w.thread == thread) return &w;
  return nullptr;
}

const std::vector<PolicyInfo>& policy_catalog() {
  static const std::vector<PolicyInfo> catalog = {
      {"legacy", "CPython <= 3.1: release and re-acquire every check interval, no hand-off",
       "--check-interval N ticks (100)",
       "Python 2.7 Python/ceval.c, PyEval_EvalFrameEx (_Py_Ticker)", make_legacy_policy},
      {"modern", "CPython 3.2+ (default builds): timed waits, drop requests, forced switching",
       "--switch-interval D (5ms)",
       "take_gil / drop_gil with FORCE_SWITCHING: Python/ceval_gil.h (3.2-3.11), ceval_gil.c "
       "(3.12+)",
       make_modern_policy},
      {"fifo", "a fair ticket lock: hand-off to the longest waiter", "--switch-interval D (5ms)",
       "textbook fair lock, for comparison", make_fifo_policy},
      {"io-priority", "the convoy-effect fix: a thread back from I/O preempts a CPU-bound holder",
       "--switch-interval D (5ms)", "bpo-7946 (gilinter / BFS-style patches), never merged",
       make_io_priority_policy},
      {"gvl", "Ruby MRI's GVL: FIFO queue, timer thread, 100 ms quantum",
       "--quantum D (100ms), --timer-tick D (10ms)",
       "Ruby thread_pthread.c gvl_acquire_common / gvl_yield", make_gvl_policy},
      {"none", "free-threaded Python (PEP 703): no global lock, threads truly parallel", "-",
       "CPython 3.13t; objects keep their own locks", make_none_policy},
  };
  return catalog;
}

std::unique_ptr<Policy> make_policy(std::string_view name, const PolicyParams& params) {
  for (const PolicyInfo& p : policy_catalog())
    if (p.name == name) return p.make(params);
  return nullptr;
}

}  // namespace gilsim
