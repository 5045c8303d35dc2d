// fifo: a fair ticket lock. Not a CPython design: the textbook fix for starvation, shown beside
// the real ones. Waiters queue in arrival order; a free GIL goes to the longest waiter; the holder
// is asked to drop after the switch interval, exactly as in `modern`, and on release the GIL is
// handed straight to the head of the queue, so the releasing thread goes to the back.
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

class FifoPolicy final : public Policy {
 public:
  explicit FifoPolicy(const PolicyParams& p) : interval_(p.switch_interval) {}
  void set_switch_interval(Nanos interval) override { interval_ = interval; }
  std::string_view name() const override { return "fifo"; }

  Nanos wait_timeout(const GilState&, const Waiter&) const override {
    return interval_ >= 1 ? interval_ : 1;
  }
  bool on_timeout(GilState& gil, Waiter& w, Nanos) override {
    return gil.holder >= 0 && gil.switch_number == w.switch_number;
  }
  bool timeout_only_asks_to_drop() const override { return true; }
  bool may_take_free(const GilState& gil, int thread) const override {
    return !gil.waiters.empty() && gil.waiters.front().thread == thread;
  }
  int hand_off(const GilState& gil, Reason, Nanos) const override {
    return gil.waiters.empty() ? -1 : gil.waiters.front().thread;
  }

 private:
  Nanos interval_;
};

}  // namespace

std::unique_ptr<Policy> make_fifo_policy(const PolicyParams& params) {
  return std::make_unique<FifoPolicy>(params);
}

}  // namespace gilsim
