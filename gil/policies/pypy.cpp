// pypy: PyPy's GIL (rpython/translator/c/src/thread_gil.c: RPyGilAcquireSlowPath,
// RPyGilYieldThread, _RPyGilRelease; pypy/module/thread/gil.py: GILReleaseAction; PyPy 7.3).
//
// The GIL is two locks: rpy_fastgil, a word a thread swaps from 0 to its id to take the GIL, and
// mutex_gil, which stays locked on the fast path. Releasing around a system call only stores 0 in
// rpy_fastgil: nobody is signalled. A thread coming back swaps the word and, if it is still 0,
// has the GIL again at once, whoever waits. Of the threads that failed the swap, one at a time is
// "the stealer" (it holds mutex_gil_stealer, the others queue on that mutex): it loops on a 0.1 ms
// timed wait of mutex_gil, looking at rpy_fastgil between waits, and takes a GIL it finds free.
// Every sys.checkinterval bytecodes (10000) the holder runs GILReleaseAction: if anyone waits,
// RPyGilYieldThread unlocks mutex_gil, which the stealer's timed wait takes at once (a hand-off),
// and the yielder queues again for mutex_gil_stealer behind the others.
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

class PypyPolicy final : public Policy {
 public:
  explicit PypyPolicy(const PolicyParams& p)
      : check_interval_(p.get("checkinterval", 10000)), poll_(p.get("poll", 100'000)) {}
  std::string_view name() const override { return "pypy"; }
  bool counts_ticks() const override { return true; }
  std::int64_t check_interval() const override { return check_interval_; }

  // _rpygil_acquire_fast_path: a compare-and-swap on rpy_fastgil, queue or no queue.
  bool may_take_now(const GilState& gil, int, Reason) const override { return gil.holder < 0; }
  // Only the stealer keeps time: mutex2_lock_timeout(&mutex_gil, 0.0001). The others wait for
  // mutex_gil_stealer without a timeout; the core wakes the new head when the stealer leaves.
  Nanos wait_timeout(const GilState& gil, const Waiter& w) const override {
    bool stealer = !gil.waiters.empty() && gil.waiters.front().thread == w.thread;
    return stealer ? (poll_ >= 1 ? poll_ : 1) : kForever;
  }
  bool may_take_free(const GilState& gil, int thread) const override {
    return !gil.waiters.empty() && gil.waiters.front().thread == thread;
  }
  // RPyGilYieldThread: mutex_gil unlocked, the stealer takes it.
  int hand_off(const GilState& gil, Reason why, Nanos) const override {
    return why == Reason::Tick && !gil.waiters.empty() ? gil.waiters.front().thread : -1;
  }
  // _RPyGilRelease: rpy_fastgil = 0, no signal (RPyGilReleaseSignal only signals on Windows).
  bool signals_release(Reason) const override { return false; }

 private:
  std::int64_t check_interval_;
  Nanos poll_;
};

}  // namespace

std::unique_ptr<Policy> make_pypy_policy(const PolicyParams& params) {
  return std::make_unique<PypyPolicy>(params);
}

}  // namespace gilsim
