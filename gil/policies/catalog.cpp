#include "gil/policies/catalog.h"

#include "gil/policies/policies.h"

namespace gilsim {

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
      {"gvl-3.2", "Ruby <= 3.2's GVL: barging (a thread back from I/O takes a free GVL first)",
       "--quantum D (100ms)",
       "Ruby v3_2 thread_pthread.c thread_sched_to_running_common / thread_sched_yield / "
       "do_gvl_timer",
       make_gvl_3_2_policy},
      {"pypy", "PyPy's GIL: fast-path release, one stealer polling every 0.1 ms",
       "--gil-param checkinterval=N (10000), poll=D (0.1ms)",
       "PyPy rpython/translator/c/src/thread_gil.c RPyGilAcquireSlowPath / RPyGilYieldThread; "
       "pypy/module/thread/gil.py GILReleaseAction",
       make_pypy_policy},
      {"ocaml", "OCaml 4's master lock: no queue, a 50 ms tick, Thread.yield hands off",
       "--gil-param tick=D (50ms)",
       "OCaml 4.14 otherlibs/systhreads/st_posix.h st_masterlock / st_thread_yield; st_stubs.c "
       "caml_thread_tick",
       make_ocaml_policy},
      {"lua", "lua_lock as a plain mutex: released and retaken at jumps, no fairness",
       "--gil-param yield_ticks=N (1)", "Lua 5.1 lvm.c dojump / luai_threadyield (llimits.h)",
       make_lua_policy},
      {"none", "free-threaded Python (PEP 703): no global lock, threads truly parallel", "-",
       "CPython 3.13t; objects keep their own locks", make_none_policy},
      {"free-threaded",
       "CPython 3.13t: no GIL until gilsim.import_extension() turns it on for good",
       "--gil-param PYTHON_GIL=0|1 (unset), --switch-interval D (5ms)",
       "CPython 3.13 Python/ceval_gil.c _PyEval_EnableGILTransient / "
       "_PyEval_EnableGILPermanent",
       make_free_threaded_policy},
  };
  return catalog;
}

const std::vector<PolicyParamKey>& policy_param_keys() {
  static const std::vector<PolicyParamKey> keys = {
      {"checkinterval", false, "pypy", "bytecodes (ticks) between GILReleaseAction's yields"},
      {"poll", true, "pypy", "the stealer's timed wait on mutex_gil"},
      {"tick", true, "ocaml", "the tick thread's period (Thread_timeout)"},
      {"yield_ticks", false, "lua", "ticks between luai_threadyield's unlock/lock"},
      {"PYTHON_GIL", false, "free-threaded", "1: the GIL on from the start; 0: never"},
  };
  return keys;
}

std::unique_ptr<Policy> make_policy(std::string_view name, const PolicyParams& params) {
  for (const PolicyInfo& p : policy_catalog())
    if (p.name == name) return p.make(params);
  return nullptr;
}

}  // namespace gilsim
