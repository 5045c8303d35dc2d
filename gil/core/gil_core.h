// GilCore: the GIL protocol, written once for both engines.
//
// take_gil, the timed wait and its drop request, grant, drop_gil with hand-off and forced
// switching: what happens, decided over one GilState and its Policy. The core keeps no mutex,
// reads no clock and never waits. Each call takes the time and a thread and answers with actions
// (a GilStep or a GilRelease: granted or wait until X, set the drop request on the holder, wake T,
// wait for the switch); the engine applies them with its own means: condition variables and the
// real clock (ThreadEngine), virtual timers on virtual cores (SimEngine). A behaviour fixed here
// is fixed in both, the way ns-3's default and real-time simulators share one Scheduler and every
// model, and differ only in how they wait and what time they read.
//
// The order of calls for one thread, as ceval_gil.c's take_gil / drop_gil run:
//   request(t, why, now)        it wants the GIL. Granted, or it waits until step.wait_until
//                               (kForever: until woken).
//   wake_up(t, now)             its wait ended: a signal, its timeout, or neither (a spurious
//                               wake-up, a new head of the queue). Granted, or wait again.
//   must_drop(t)                at the eval breaker: was the holder asked to drop?
//   release(t, why, now)        it lets go: whom to wake, and whether to wait for the switch.
//   switch_pending(t)           forced switching: true while no other thread has taken the GIL.
//   abandon(t)                  the run stops while it waits: leave the queue quietly.
//   enable(t)                   free-threaded: t turns the GIL on. The threads running without
//                               it must stop (their eval breakers) before anyone may take it.
//
// Not thread-safe: the engine calls it under its own lock (threads) or from its one thread (sim).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "gil/core/policy.h"

namespace gilsim {

// Threads to wake: at most three come out of one take (a holder waiting for the switch, a new
// head of the queue whose wait changes, a waiter sleeping through idle timeouts) and one out of a
// request (that sleeper), so a fixed array does: no allocation on the hot path.
struct Wakes {
  int thread[4] = {-1, -1, -1, -1};
  void add(int t) {
    if (t < 0) return;
    for (int& slot : thread) {
      if (slot == t) return;
      if (slot < 0) {
        slot = t;
        return;
      }
    }
  }
  bool has(int t) const {
    for (int slot : thread)
      if (slot == t) return true;
    return false;
  }
};

// What the engine does after request() or wake_up().
struct GilStep {
  bool granted = false;         // the thread holds the GIL now (record Acquire)
  Nanos wait_until = kForever;  // else: wait until then, or until woken (kForever: until woken)
  // The timeout at wait_until can only ask the holder again to drop, which it was asked already
  // (set_idle_timeouts): the engine may wait until woken instead; the core wakes the thread at
  // the next take or request, which are what can make a timeout count again.
  bool timeout_idle = false;
  bool breaker = false;           // granted: start with the eval breaker set (a drop request is
                                  // already aimed at this thread)
  int drop_request_on = -1;       // set this holder's eval breaker: it is asked to drop
  bool new_drop_request = false;  // ... and the request is new (record DropRequest, arg: holder)
  int failed_acquire = -1;  // woken for a GIL that is held again: record FailedAcquire (holder)
  Wakes wake;               // signal these threads
};

// What the engine does after release().
struct GilRelease {
  int wake = -1;                 // signal this thread: handed the GIL, or a waiter to look
  bool handed_off = false;       // `wake` owns the GIL already
  bool forced_switch = false;    // record ForcedSwitch
  bool wait_for_switch = false;  // wait (until woken) while switch_pending(releaser)
};

class GilCore {
 public:
  // `switch_interval`: the run's (--switch-interval), what sys.getswitchinterval() first returns.
  explicit GilCore(std::unique_ptr<Policy> policy, Nanos switch_interval = 5'000'000);

  const Policy& policy() const { return *policy_; }
  const GilState& state() const { return state_; }
  bool exclusive() const { return policy_->exclusive(); }
  // sys.setswitchinterval: from the next timed wait on (a wait under way keeps its timeout, as
  // take_gil reads the interval each time round its loop). Stored under every policy.
  void set_switch_interval(Nanos interval) {
    switch_interval_ = interval;
    policy_->set_switch_interval(interval);
  }
  Nanos switch_interval() const { return switch_interval_; }
  // The threads engine: mark timeouts that cannot change anything (GilStep::timeout_idle), so a
  // waiter may sleep through them without a kernel timer. The timer is what a hand-off on one
  // core paid for: the woken waiter cancels its timer, the earliest on that CPU, and the kernel
  // reprograms the clock (a VM exit on this machine's VM), 2.5 us of a 6 us hand-off. The
  // decisions are those of the timed waits (see skip_idle_timeouts): only the wake-ups differ.
  // The sim engine leaves it off: its timers cost nothing.
  void set_idle_timeouts(bool on) { idle_timeouts_ = on; }
  // How many threads want the GIL (the legacy tick asks it without the engine's lock).
  std::size_t waiting() const { return state_.waiters.size(); }

  GilStep request(int thread, Reason why, Nanos now);
  GilStep wake_up(int thread, Nanos now);
  bool must_drop(int thread) const {
    return (state_.drop_request && state_.holder == thread) ||
           (stopping_ > 0 && free_running(thread));
  }
  GilRelease release(int thread, Reason why, Nanos now);
  bool switch_pending(int thread) const;
  // The sim engine: a thread behind in virtual time took the GIL at its release, a bit later.
  void retime_grant(int thread, Nanos at) {
    if (state_.holder == thread) state_.held_since = at;
  }
  void end_switch_wait(int thread);
  // Leaves the queue (and gives back a GIL handed to it but never taken); returns a thread to
  // wake (a new head whose wait changes), or -1.
  int abandon(int thread);
  // _PyEval_EnableGILTransient: if the policy turns exclusive now, the threads running without
  // the GIL, but `thread`, must detach at their next safe point (set their eval breakers; they
  // release and request like a dropper); nobody gets the GIL until the last has. `thread` then
  // releases and requests too. False when nothing changed.
  bool enable(int thread, std::vector<int>& stop);

 private:
  bool free_running(int thread) const {
    auto t = static_cast<std::size_t>(thread);
    return t < free_running_.size() && free_running_[t];
  }
  void set_free_running(int thread, bool on);
  // A thread running without the GIL lets go of its slot (release or abandon); the world starts
  // again after the last one stopped.
  void detach(int thread, int& wake);
  // The take_gil loop's test: take it if it is ours or free for us, else (re)arm the wait.
  void check(int thread, Nanos now, bool woken, GilStep& step);
  void grant(int thread, Nanos now, GilStep& step);
  void set_drop_request(GilStep& step);
  void arm(Waiter& w, Nanos now, GilStep& step);
  // Step waits until the end of w's current timed wait; marks it idle when it is.
  void wait_for_timeout(Waiter& w, GilStep& step);
  // A waiter that may have slept through idle timeouts: each one would have found the drop
  // request made already, or a take after it began, and re-armed (take_gil's loop); so its
  // current timed wait began at the last of them, with the switch number of that moment.
  void skip_idle_timeouts(Waiter& w, Nanos now) const;
  void leave(int thread, Wakes& wake);
  std::deque<Waiter>::iterator position(int thread);
  Waiter* find(int thread);

  std::unique_ptr<Policy> policy_;
  GilState state_;
  // Every request gets the next number; waiters stay sorted by it, so find() is a binary search
  // (100,000 waiting threads, each waking at every timeout, made a linear search quadratic).
  std::uint64_t requests_ = 0;
  std::vector<std::uint64_t> seq_of_;  // by thread id: the number of its current request
  // Under a non-exclusive policy: who runs (granted, not released), by thread id. Kept so that
  // enable() knows whom to stop.
  std::vector<char> free_running_;
  Nanos switch_interval_;
  int stopping_ = 0;  // free-running threads still to stop before the GIL can be taken
  bool idle_timeouts_ = false;
  // The waiter told its timeout is idle and not yet woken to look again, or -1. Only a lone
  // waiter is told (a second one's request wakes it), so one thread at most.
  int idle_sleeper_ = -1;
};

}  // namespace gilsim
