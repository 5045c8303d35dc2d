// io-priority: the fix proposed for the convoy effect (bpo-7946, "Convoy effect with I/O bound
// threads and New GIL"; David Beazley's 2010 analysis, Antoine Pitrou's "gilinter" patch and the
// BFS-style scheduler patches discussed there). Never merged into CPython.
//
// A thread coming back from blocking (I/O, a Queue or Lock wait, a join) has just been waiting on
// the outside world and will likely block again soon; making it wait a whole switch interval
// behind a CPU-bound thread is what kills I/O throughput. Here its request asks the holder to
// drop at once (at the next safe point), and on release the GIL is handed to it ahead of the
// CPU-bound waiters. CPU-bound threads among themselves still switch every interval, handing off
// to the longest waiter.
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

bool returns_from_blocking(Reason r) {
  return r == Reason::Io || r == Reason::Queue || r == Reason::Lock || r == Reason::Join;
}

class IoPriorityPolicy final : public Policy {
 public:
  explicit IoPriorityPolicy(const PolicyParams& p) : interval_(p.switch_interval) {}
  void set_switch_interval(Nanos interval) override { interval_ = interval; }
  std::string_view name() const override { return "io-priority"; }

  bool on_request(GilState& gil, const Waiter& w, Nanos) override {
    return gil.holder >= 0 && returns_from_blocking(w.reason);
  }
  Nanos wait_timeout(const GilState&, const Waiter&) const override {
    return interval_ >= 1 ? interval_ : 1;
  }
  bool on_timeout(GilState& gil, Waiter& w, Nanos) override {
    return gil.holder >= 0 && gil.switch_number == w.switch_number;
  }
  bool timeout_only_asks_to_drop() const override { return true; }
  bool may_take_free(const GilState& gil, int thread) const override { return next(gil) == thread; }
  int hand_off(const GilState& gil, Reason, Nanos) const override { return next(gil); }

 private:
  static int next(const GilState& gil) {
    for (const Waiter& w : gil.waiters)
      if (returns_from_blocking(w.reason)) return w.thread;
    return gil.waiters.empty() ? -1 : gil.waiters.front().thread;
  }
  Nanos interval_;
};

}  // namespace

std::unique_ptr<Policy> make_io_priority_policy(const PolicyParams& params) {
  return std::make_unique<IoPriorityPolicy>(params);
}

}  // namespace gilsim
