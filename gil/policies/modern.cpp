// modern: the "new GIL" of CPython 3.2 and later default builds (take_gil and drop_gil, in
// Python/ceval_gil.h for 3.2-3.11 and Python/ceval_gil.c from 3.12; Antoine Pitrou, 2009).
//
// take_gil: a thread that finds the GIL free takes it. Otherwise it waits on the GIL's condition
// variable for `interval` (sys.getswitchinterval(), 5 ms); if the wait timed out, the GIL is still
// held and no switch happened meanwhile (switch_number unchanged), it sets gil_drop_request (and
// the eval breaker). The holder polls the eval breaker at back edges, calls and function entry
// (3.10+), and drops. drop_gil with FORCE_SWITCHING: the dropper then waits on switch_cond until
// another thread has taken the GIL (last_holder changed), so it cannot win it straight back.
// A thread returning from I/O calls take_gil like any other and may wait a whole interval before
// it even asks the holder to drop: the convoy effect (bpo-7946).
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

class ModernPolicy final : public Policy {
 public:
  explicit ModernPolicy(const PolicyParams& p) : interval_(p.switch_interval) {}
  void set_switch_interval(Nanos interval) override { interval_ = interval; }
  std::string_view name() const override { return "modern"; }
  bool forced_switching() const override { return true; }

  bool may_take_now(const GilState& gil, int, Reason) const override { return gil.holder < 0; }

  Nanos wait_timeout(const GilState&, const Waiter&) const override {
    return interval_ >= 1 ? interval_ : 1;  // ceval_gil.c: (interval >= 1 ? interval : 1)
  }

  // "If we timed out and no switch occurred in the meantime, it is time to ask the GIL-holding
  // thread to drop it."
  bool on_timeout(GilState& gil, Waiter& w, Nanos) override {
    return gil.holder >= 0 && gil.switch_number == w.switch_number;
  }
  bool timeout_only_asks_to_drop() const override { return true; }

 private:
  Nanos interval_;
};

}  // namespace

std::unique_ptr<Policy> make_modern_policy(const PolicyParams& params) {
  return std::make_unique<ModernPolicy>(params);
}

}  // namespace gilsim
