// gvl-3.2: Ruby's GVL up to 3.2 (thread_pthread.c at v3_2: thread_sched_to_running_common,
// thread_sched_to_waiting_common, thread_sched_yield, do_gvl_timer; the same design as 2.6's
// gvl_acquire_common / gvl_release_common / gvl_yield).
//
// Barging: to_running takes the GVL whenever sched->running is NULL, queue or no queue; only a
// thread that finds it owned appends itself to readyq and waits. to_waiting (a blocking region,
// a yield) clears running and signals the head of readyq, who may find a thread back from its
// blocking region already running again: most of a short I/O loop's operations win the GVL back
// before the woken waiter runs, and the others wait a whole quantum. The timekeeper is a waiter
// (do_gvl_timer): a timed wait of TIME_QUANTUM (100 ms) towards a deadline it keeps across early
// wake-ups; when it ends, the running thread gets a timer interrupt and, its running_time_us now
// at the limit, yields (thread_sched_yield: release, wait on switch_cond until another thread
// has taken the GVL, then queue at the back). Ruby 3.3's scheduler (`gvl`) hands off instead.
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

class Gvl32Policy final : public Policy {
 public:
  explicit Gvl32Policy(const PolicyParams& p) : quantum_(p.quantum >= 1 ? p.quantum : 1) {}
  std::string_view name() const override { return "gvl-3.2"; }
  bool forced_switching() const override { return true; }  // need_yield / switch_cond

  bool may_take_now(const GilState& gil, int, Reason) const override { return gil.holder < 0; }

  // do_gvl_timer: the head of readyq keeps time. Its deadline is renewed only once it has passed
  // (sched->timer_err == ETIMEDOUT), so being woken early does not postpone the interrupt.
  Nanos wait_timeout(const GilState& gil, const Waiter& w) const override {
    if (gil.waiters.empty() || gil.waiters.front().thread != w.thread) return kForever;
    if (deadline_ <= w.timer_start) deadline_ = w.timer_start + quantum_;
    return deadline_ - w.timer_start;
  }
  // RUBY_VM_SET_TIMER_INTERRUPT(running): one interrupt adds a whole quantum to running_time_us,
  // so the holder yields at its next check, however long it has run.
  bool on_timeout(GilState& gil, Waiter&, Nanos) override { return gil.holder >= 0; }

 private:
  Nanos quantum_;
  mutable Nanos deadline_ = 0;  // the timekeeper's abs (a deadline, not a policy decision)
};

}  // namespace

std::unique_ptr<Policy> make_gvl_3_2_policy(const PolicyParams& params) {
  return std::make_unique<Gvl32Policy>(params);
}

}  // namespace gilsim
