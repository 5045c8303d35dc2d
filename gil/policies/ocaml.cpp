// ocaml: OCaml 4's master lock (otherlibs/systhreads/st_posix.h: st_masterlock,
// st_masterlock_acquire / _release, st_thread_yield; st_stubs.c: caml_thread_tick,
// Thread_timeout, caml_thread_yield; OCaml 4.14, the same in 4.13).
//
// The lock is a `busy` flag, a mutex and one condition variable `is_free`, with a count of
// `waiters`. Acquire: while busy, wait on is_free; then take it. So a thread coming back from a
// blocking section takes a free lock before any waiter the release woke: no queue, no fairness.
// Release: busy = 0, signal is_free (one waiter). A tick thread records a SIGVTALRM every
// Thread_timeout (50 ms), whoever runs; at its next poll point the running thread calls
// Thread.yield, which does nothing without waiters and otherwise (st_thread_yield, OCaml PR #2112,
// 4.09) clears busy, signals a waiter and waits on is_free itself: it can no longer take the lock
// straight back, as the release(); acquire() of 4.08 and before let it.
// OCaml 5 replaced this with one lock per domain: spawn_process under this policy is its analogue.
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

class OcamlPolicy final : public Policy {
 public:
  explicit OcamlPolicy(const PolicyParams& p) : tick_(p.get("tick", 50'000'000)) {}
  std::string_view name() const override { return "ocaml"; }

  // st_masterlock_acquire: `while (m->busy) wait`. A yielder (DropRequest) waits on is_free
  // until a later signal, whatever the lock's state.
  bool may_take_now(const GilState& gil, int, Reason why) const override {
    return gil.holder < 0 && why != Reason::DropRequest;
  }
  bool may_take_free(const GilState& gil, int thread) const override {
    const Waiter* w = gil.find(thread);
    return !w || w->reason != Reason::DropRequest || w->signalled;
  }
  // The tick thread's period runs from the start of the run, not from any acquisition: the one
  // waiter at the head stands for it, waking at the next multiple of the tick.
  Nanos wait_timeout(const GilState& gil, const Waiter& w) const override {
    if (gil.waiters.empty() || gil.waiters.front().thread != w.thread) return kForever;
    Nanos tick = tick_ >= 1 ? tick_ : 1;
    return tick - w.timer_start % tick;
  }
  // caml_record_signal(SIGPREEMPTION): the holder yields at its next poll point, if anyone waits.
  bool on_timeout(GilState& gil, Waiter&, Nanos) override { return gil.holder >= 0; }

 private:
  Nanos tick_;
};

}  // namespace

std::unique_ptr<Policy> make_ocaml_policy(const PolicyParams& params) {
  return std::make_unique<OcamlPolicy>(params);
}

}  // namespace gilsim
