// gvl: Ruby MRI's Global VM Lock (thread_pthread.c: gvl_acquire_common, gvl_release_common,
// gvl_yield; Ruby 2.6–3.2, and the 10 ms timer of 3.3's thread scheduler).
//
// Waiting threads queue in FIFO order (gvl.waitq; gvl_release_common signals list_top, the head).
// One waiter is the designated timer: it wakes every timer tick (10 ms) and, once the holder has
// run for a whole quantum (TIME_QUANTUM_MSEC, 100 ms), sets the holder's timer interrupt. The
// holder checks its interrupts (RUBY_VM_CHECK_INTS, our safe points) and calls gvl_yield, which
// releases to the head of the queue and waits until that thread has taken the lock; the yielder
// goes to the back of the queue.
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

class GvlPolicy final : public Policy {
 public:
  explicit GvlPolicy(const PolicyParams& p) : quantum_(p.quantum), tick_(p.timer_tick) {}
  std::string_view name() const override { return "gvl"; }

  // Only the designated timer (the head of the queue) keeps time.
  Nanos wait_timeout(const GilState& gil, const Waiter& w) const override {
    bool designated = !gil.waiters.empty() && gil.waiters.front().thread == w.thread;
    return designated ? (tick_ >= 1 ? tick_ : 1) : kForever;
  }
  bool on_timeout(GilState& gil, Waiter&, Nanos now) override {
    return gil.holder >= 0 && now - gil.held_since >= quantum_;
  }
  bool may_take_free(const GilState& gil, int thread) const override {
    return !gil.waiters.empty() && gil.waiters.front().thread == thread;
  }
  int hand_off(const GilState& gil, Reason, Nanos) const override {
    return gil.waiters.empty() ? -1 : gil.waiters.front().thread;
  }

 private:
  Nanos quantum_;
  Nanos tick_;
};

}  // namespace

std::unique_ptr<Policy> make_gvl_policy(const PolicyParams& params) {
  return std::make_unique<GvlPolicy>(params);
}

}  // namespace gilsim
