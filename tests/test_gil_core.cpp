// The GIL core (gil/core/gil_core.h) driven by a scripted clock: every policy's decisions, and the
// protocol both engines share, without threads or timing.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gil/core/gil_core.h"
#include "gil/core/policy.h"
#include "gil/core/sync_core.h"
#include "gil/policies/catalog.h"

using namespace gilsim;

namespace {

constexpr Nanos kMs = 1'000'000;

GilCore core_of(const char* policy, PolicyParams params = {}) {
  return GilCore(make_policy(policy, params));
}

bool wakes(const GilStep& s, int t) { return s.wake.has(t); }

// Drives a core as an engine does: outside events (requests, releases) at the times a script
// gives; each waiter's timed wait ends at its wait_until (a timer), or when a step wakes it. With
// idle timeouts on, a wait marked idle gets no timer (the threads engine's untimed sleep). Logs
// what the protocol decided: new drop requests, grants and failed acquisitions.
struct Driver {
  GilCore core;
  std::map<int, Nanos> timers;  // waiting thread -> when its timed wait ends
  std::set<int> waiting;        // between its request and its grant
  std::vector<std::string> log;
  int timer_wakeups = 0;

  Driver(const std::string& policy, bool idle) : core(make_policy(policy, {})) {
    core.set_idle_timeouts(idle);
  }
  void apply(int t, const GilStep& s, Nanos now) {
    if (s.new_drop_request)
      log.push_back(fmt::format("{}: {} asks {} to drop", now, t, s.drop_request_on));
    if (s.failed_acquire >= 0) log.push_back(fmt::format("{}: {} finds it taken", now, t));
    timers.erase(t);
    if (s.granted) {
      log.push_back(fmt::format("{}: {} takes it", now, t));
      waiting.erase(t);
    } else if (s.wait_until != kForever && !s.timeout_idle) {
      timers[t] = s.wait_until;
    }
    for (int w : s.wake.thread)
      if (w >= 0 && waiting.count(w)) apply(w, core.wake_up(w, now), now);
  }
  // Fires the timers that fall by `until`, in order; with `stop_at_ask`, only until one asks the
  // holder to drop. Returns when that was, or -1.
  Nanos run_until(Nanos until, bool stop_at_ask = false) {
    for (;;) {
      auto next = std::min_element(timers.begin(), timers.end(),
                                   [](auto& a, auto& b) { return a.second < b.second; });
      if (next == timers.end() || next->second > until) return -1;
      auto [t, at] = *next;
      ++timer_wakeups;
      GilStep s = core.wake_up(t, at);
      apply(t, s, at);
      if (stop_at_ask && s.new_drop_request) return at;
    }
  }
  void request(int t, Nanos now) {
    run_until(now);
    waiting.insert(t);
    apply(t, core.request(t, Reason::Start, now), now);
  }
  void release(int t, Reason why, Nanos now) {
    run_until(now);
    GilRelease r = core.release(t, why, now);
    if (r.wake >= 0 && waiting.count(r.wake)) apply(r.wake, core.wake_up(r.wake, now), now);
    core.end_switch_wait(t);
  }
};

}  // namespace

TEST_CASE("modern: a waiter asks the holder to drop after one interval; forced switching") {
  GilCore c = core_of("modern");
  CHECK(c.request(0, Reason::Start, 0).granted);
  GilStep b = c.request(1, Reason::Start, 1 * kMs);
  CHECK_FALSE(b.granted);
  CHECK(b.wait_until == 6 * kMs);  // its interval starts when it asks
  CHECK(b.drop_request_on == -1);

  // A wake-up that is neither a signal nor the timeout keeps the deadline: restarting the
  // interval there made the drop request late.
  GilStep spurious = c.wake_up(1, 3 * kMs);
  CHECK(spurious.wait_until == 6 * kMs);
  CHECK(spurious.drop_request_on == -1);

  GilStep timeout = c.wake_up(1, 6 * kMs + 50'000);
  CHECK(timeout.new_drop_request);
  CHECK(timeout.drop_request_on == 0);
  CHECK(timeout.wait_until == 11 * kMs + 50'000);
  CHECK(c.must_drop(0));

  GilRelease r = c.release(0, Reason::DropRequest, 7 * kMs);
  CHECK(r.wake == 1);
  CHECK_FALSE(r.handed_off);  // no hand-off: the waiter takes a free GIL
  CHECK(r.forced_switch);
  CHECK(r.wait_for_switch);
  CHECK(c.switch_pending(0));
  CHECK_FALSE(c.must_drop(0));

  GilStep taken = c.wake_up(1, 7 * kMs + 20'000);
  CHECK(taken.granted);
  CHECK_FALSE(taken.breaker);
  CHECK(wakes(taken, 0));  // drop_gil's switch_cond
  CHECK_FALSE(c.switch_pending(0));
  c.end_switch_wait(0);
  CHECK(c.state().switch_number == 2);

  GilStep again = c.request(0, Reason::DropRequest, 7 * kMs + 40'000);
  CHECK_FALSE(again.granted);
  CHECK(again.wait_until == 12 * kMs + 40'000);
}

TEST_CASE("modern: no drop request when a switch happened during the wait") {
  GilCore c = core_of("modern");
  c.request(0, Reason::Start, 0);
  c.request(1, Reason::Start, 0);
  c.request(2, Reason::Start, 0);
  c.release(0, Reason::Io, 1 * kMs);  // wakes 1
  CHECK(c.wake_up(1, 1 * kMs).granted);
  // Thread 2 times out, but the GIL changed hands meanwhile: no request.
  GilStep s = c.wake_up(2, 5 * kMs);
  CHECK(s.drop_request_on == -1);
  CHECK_FALSE(c.must_drop(1));
}

TEST_CASE("modern: a woken waiter that finds the GIL taken records a failed acquisition") {
  GilCore c = core_of("modern");
  c.request(0, Reason::Start, 0);
  c.request(1, Reason::Start, 0);
  CHECK(c.release(0, Reason::Io, 1 * kMs).wake == 1);
  CHECK(c.request(0, Reason::Io, 1 * kMs + 1000).granted);  // back first: takes the free GIL
  GilStep s = c.wake_up(1, 1 * kMs + 20'000);
  CHECK_FALSE(s.granted);
  CHECK(s.failed_acquire == 0);
}

TEST_CASE("io-priority: a request made during a hand-off is not lost by the new holder") {
  // The bug of the threads engine: the I/O thread releases, the GIL is handed to the CPU thread
  // (not yet awake); the I/O thread is back and asks it to drop; the CPU thread, waking to take
  // the GIL it was handed, cleared that request, and the I/O thread waited a whole interval.
  GilCore c = core_of("io-priority");
  CHECK(c.request(0, Reason::Start, 0).granted);        // the I/O thread
  CHECK_FALSE(c.request(1, Reason::Start, 0).granted);  // the CPU thread
  GilRelease r = c.release(0, Reason::Io, 1 * kMs);
  CHECK(r.handed_off);
  CHECK(r.wake == 1);
  GilStep back = c.request(0, Reason::Io, 1 * kMs + 72'000);  // io(0) is over
  CHECK_FALSE(back.granted);
  CHECK(back.new_drop_request);
  CHECK(back.drop_request_on == 1);
  GilStep cpu = c.wake_up(1, 1 * kMs + 90'000);
  CHECK(cpu.granted);
  CHECK(cpu.breaker);  // it starts with the request it has to honour
  CHECK(c.must_drop(1));
  GilRelease drop = c.release(1, Reason::DropRequest, 1 * kMs + 95'000);
  CHECK(drop.handed_off);
  CHECK(drop.wake == 0);  // the thread back from I/O goes first
  CHECK(c.wake_up(0, 1 * kMs + 110'000).granted);
}

TEST_CASE("io-priority: a request made to an earlier holder is cleared on grant") {
  GilCore c = core_of("io-priority");
  c.request(0, Reason::Start, 0);
  c.request(1, Reason::Start, 0);
  GilStep t = c.wake_up(1, 5 * kMs);  // timeout: asks 0 to drop
  CHECK(t.drop_request_on == 0);
  c.release(0, Reason::Io, 5 * kMs + 1000);  // 0 leaves for I/O instead, handing off to 1
  GilStep g = c.wake_up(1, 5 * kMs + 20'000);
  CHECK(g.granted);
  CHECK_FALSE(g.breaker);
  CHECK_FALSE(c.must_drop(1));
}

TEST_CASE("fifo: the longest waiter gets the GIL, the releaser goes to the back") {
  GilCore c = core_of("fifo");
  c.request(0, Reason::Start, 0);
  c.request(1, Reason::Start, 1);
  c.request(2, Reason::Start, 2);
  GilRelease r = c.release(0, Reason::Tick, 1 * kMs);
  CHECK(r.handed_off);
  CHECK(r.wake == 1);
  CHECK_FALSE(c.request(0, Reason::Tick, 1 * kMs).granted);
  CHECK_FALSE(c.wake_up(2, 2 * kMs).granted);  // not its turn
  CHECK(c.wake_up(1, 1 * kMs + 10).granted);
  CHECK(c.release(1, Reason::Tick, 2 * kMs).wake == 2);
}

TEST_CASE("gvl: only the head of the queue keeps time, and asks after a whole quantum") {
  GilCore c = core_of("gvl");
  c.request(0, Reason::Start, 0);
  GilStep head = c.request(1, Reason::Start, 0);
  GilStep second = c.request(2, Reason::Start, 0);
  CHECK(head.wait_until == 10 * kMs);  // the timer tick
  CHECK(second.wait_until == kForever);
  for (Nanos t = 10; t < 100; t += 10) CHECK(c.wake_up(1, t * kMs).drop_request_on == -1);
  CHECK(c.wake_up(1, 100 * kMs).drop_request_on == 0);  // the quantum is over
  GilRelease r = c.release(0, Reason::DropRequest, 100 * kMs + 1);
  CHECK(r.handed_off);
  CHECK(r.wake == 1);
  GilStep got = c.wake_up(1, 100 * kMs + 20'000);
  CHECK(got.granted);
  CHECK(wakes(got, 2));  // the new head becomes the timer
  GilStep timer = c.wake_up(2, 100 * kMs + 40'000);
  CHECK_FALSE(timer.granted);
  CHECK(timer.failed_acquire == -1);  // woken to keep time, not for the GIL
  CHECK(timer.wait_until == 110 * kMs + 40'000);
}

TEST_CASE("legacy: whoever finds the GIL free takes it; nobody keeps time") {
  GilCore c = core_of("legacy");
  c.request(0, Reason::Start, 0);
  GilStep w = c.request(1, Reason::Start, 0);
  CHECK(w.wait_until == kForever);
  CHECK(c.release(0, Reason::Tick, 1000).wake == 1);
  CHECK(c.request(0, Reason::Tick, 1050).granted);  // back before the waiter wakes
  GilStep late = c.wake_up(1, 20'000);
  CHECK_FALSE(late.granted);
  CHECK(late.failed_acquire == 0);
  CHECK(c.waiting() == 1);
}

TEST_CASE("none: every request is granted, nothing is recorded as held") {
  GilCore c = core_of("none");
  CHECK(c.request(0, Reason::Start, 0).granted);
  CHECK(c.request(1, Reason::Start, 0).granted);
  CHECK(c.state().holder == -1);
  CHECK(c.release(0, Reason::Io, 1).wake == -1);
}

TEST_CASE("abandon: a thread stopped while handed the GIL gives it back") {
  GilCore c = core_of("fifo");
  c.request(0, Reason::Start, 0);
  c.request(1, Reason::Start, 0);
  c.release(0, Reason::Io, 10);
  CHECK(c.state().holder == 1);
  c.abandon(1);
  CHECK(c.state().holder == -1);
  CHECK(c.waiting() == 0);
}

TEST_CASE("sync core: Lock barging, Queue hand-over, join readiness") {
  LockObj l(1);
  CHECK(lock_try_acquire(l, 0));
  CHECK_FALSE(lock_try_acquire(l, 1));
  Wait w{Reason::Lock, &l, -1};
  begin_wait(w, 1);
  auto none_done = [](int) { return false; };
  CHECK_FALSE(ready(w, none_done));
  int wake = -1;
  CHECK(lock_release(l, wake));
  CHECK(wake == 1);
  CHECK(lock_try_acquire(l, 2));  // a running thread may take it first
  CHECK_FALSE(ready(w, none_done));
  CHECK(lock_release(l, wake));
  CHECK(ready(w, none_done));
  complete_wait(w, 1, 0, nullptr);
  CHECK(l.owner == 1);
  CHECK(l.waiters.empty());
  CHECK(lock_release(l, wake));
  CHECK_FALSE(lock_release(l, wake));  // unlocked: release() raises

  QueueObj q(2);
  Wait a{Reason::Queue, &q, -1}, b{Reason::Queue, &q, -1};
  begin_wait(a, 5);
  begin_wait(b, 6);
  CHECK(queue_put(q, Value::integer(1), 0) == 5);
  CHECK(queue_put(q, Value::integer(2), 0) == 5);
  Value item;
  CHECK(complete_wait(a, 5, 0, &item) == 6);  // another item: the next getter is woken
  CHECK(item.as_int() == 1);
  CHECK(wait_object_id(a) == 2);

  Wait j{Reason::Join, nullptr, 3};
  CHECK_FALSE(ready(j, none_done));
  CHECK(ready(j, [](int t) { return t == 3; }));
  CHECK(wait_object_id(j) == 3);
}

TEST_CASE("the policy registry: one row per policy, its factory makes the policy it names") {
  CHECK(policy_catalog().size() == 11);
  for (const PolicyInfo& p : policy_catalog()) {
    CAPTURE(p.name);
    CHECK_FALSE(p.models.empty());
    CHECK_FALSE(p.source.empty());
    auto made = make_policy(p.name, PolicyParams{});
    REQUIRE(made);
    CHECK(made->name() == p.name);
  }
  CHECK(make_policy("no-such", PolicyParams{}) == nullptr);
}

TEST_CASE("free-threaded: import_extension stops the threads running free, then the GIL is on") {
  GilCore c = core_of("free-threaded");
  CHECK_FALSE(c.exclusive());
  CHECK(c.request(0, Reason::Start, 0).granted);  // no GIL: all three run at once
  CHECK(c.request(1, Reason::Start, 0).granted);
  CHECK(c.request(2, Reason::Start, 0).granted);
  CHECK(c.state().holder == -1);
  std::vector<int> stop;
  REQUIRE(c.enable(2, stop));
  CHECK(c.exclusive());
  CHECK(stop == std::vector<int>{0, 1});
  CHECK(c.must_drop(0));
  CHECK(c.must_drop(1));
  // The importer detaches and attaches: nobody may take the GIL while 0 and 1 still run.
  CHECK(c.release(2, Reason::DropRequest, 1 * kMs).wake == -1);
  CHECK_FALSE(c.request(2, Reason::DropRequest, 1 * kMs).granted);
  CHECK(c.release(0, Reason::DropRequest, 2 * kMs).wake == -1);
  CHECK_FALSE(c.request(0, Reason::DropRequest, 2 * kMs).granted);
  CHECK_FALSE(c.must_drop(0));
  // The last one stops: the world starts again, the first waiter takes the GIL.
  GilRelease last = c.release(1, Reason::DropRequest, 3 * kMs);
  CHECK(last.wake == 2);
  CHECK(c.wake_up(2, 3 * kMs).granted);
  CHECK_FALSE(c.request(1, Reason::DropRequest, 3 * kMs).granted);
  // From now on it is the default build's GIL: a timed wait and a drop request.
  CHECK(c.wake_up(0, 7 * kMs).drop_request_on == -1);  // a switch happened in its interval
  GilStep timeout = c.wake_up(0, 12 * kMs);
  CHECK(timeout.drop_request_on == 2);
  // Enabling again changes nothing (_PyEval_EnableGILPermanent: already INT_MAX).
  CHECK_FALSE(c.enable(0, stop));
}

TEST_CASE("free-threaded: PYTHON_GIL=0 keeps the GIL off, PYTHON_GIL=1 has it on from the start") {
  PolicyParams off;
  off.extra["PYTHON_GIL"] = 0;
  GilCore c = core_of("free-threaded", off);
  std::vector<int> stop;
  CHECK(c.request(0, Reason::Start, 0).granted);
  CHECK_FALSE(c.enable(0, stop));
  CHECK_FALSE(c.exclusive());
  PolicyParams on;
  on.extra["PYTHON_GIL"] = 1;
  GilCore d = core_of("free-threaded", on);
  CHECK(d.exclusive());
  CHECK(d.request(0, Reason::Start, 0).granted);
  CHECK_FALSE(d.request(1, Reason::Start, 0).granted);
}

TEST_CASE(
    "pypy: a fast release signals nobody; the stealer polls every 0.1 ms; the tick hands off") {
  constexpr Nanos kPoll = 100'000;
  GilCore c = core_of("pypy");
  CHECK(c.policy().counts_ticks());
  CHECK(c.policy().check_interval() == 10000);
  CHECK(c.request(0, Reason::Start, 0).granted);
  CHECK(c.request(1, Reason::Start, 0).wait_until == kPoll);     // the stealer
  CHECK(c.request(2, Reason::Start, 0).wait_until == kForever);  // queued for mutex_gil_stealer
  // _RPyGilRelease: rpy_fastgil = 0, no signal; the thread back from its call swaps it back.
  GilRelease io = c.release(0, Reason::Io, 50'000);
  CHECK(io.wake == -1);
  CHECK(c.request(0, Reason::Io, 80'000).granted);
  // The stealer's timed wait ends with the GIL held: it waits another 0.1 ms, no drop request.
  GilStep poll = c.wake_up(1, kPoll);
  CHECK_FALSE(poll.granted);
  CHECK(poll.drop_request_on == -1);
  CHECK(poll.wait_until == 2 * kPoll);
  // This time the GIL is free when it looks: it steals it; thread 2 becomes the stealer.
  c.release(0, Reason::Io, 150'000);
  GilStep stolen = c.wake_up(1, 2 * kPoll);
  CHECK(stolen.granted);
  CHECK(wakes(stolen, 2));  // the new head starts polling
  // GILReleaseAction: RPyGilYieldThread unlocks mutex_gil, the stealer has it.
  c.request(0, Reason::Io, 210'000);
  GilRelease tick = c.release(1, Reason::Tick, 300'000);
  CHECK(tick.handed_off);
  CHECK(tick.wake == 2);
}

TEST_CASE(
    "ocaml: the tick falls every 50 ms of the run; a yielder waits; a thread back from I/O "
    "barges") {
  GilCore c = core_of("ocaml");
  CHECK(c.request(0, Reason::Start, 0).granted);
  CHECK(c.request(1, Reason::Start, 10 * kMs).wait_until == 50 * kMs);  // the next tick
  GilStep tick = c.wake_up(1, 50 * kMs);
  CHECK(tick.drop_request_on == 0);
  // Thread.yield: busy = 0, signal a waiter, and wait on is_free whatever the lock's state.
  GilRelease y = c.release(0, Reason::DropRequest, 51 * kMs);
  CHECK(y.wake == 1);
  CHECK_FALSE(y.handed_off);
  CHECK_FALSE(c.request(0, Reason::DropRequest, 51 * kMs).granted);
  CHECK(c.wake_up(1, 51 * kMs + 50'000).granted);
  // st_masterlock_acquire: a thread back from a blocking section takes a free lock first.
  c.request(2, Reason::Start, 52 * kMs);
  GilRelease io = c.release(1, Reason::Io, 60 * kMs);
  CHECK(io.wake == 0);
  CHECK(c.request(1, Reason::Io, 60 * kMs + 10'000).granted);
  GilStep late = c.wake_up(0, 60 * kMs + 50'000);
  CHECK_FALSE(late.granted);
  CHECK(late.failed_acquire == 1);
  CHECK(late.wait_until == 100 * kMs);  // it keeps time now, to the next multiple of 50 ms
}

TEST_CASE(
    "gvl-3.2: barging after a blocking region; the timer's deadline survives early wake-ups") {
  GilCore c = core_of("gvl-3.2");
  CHECK(c.request(0, Reason::Start, 0).granted);
  CHECK(c.request(1, Reason::Start, 10 * kMs).wait_until == 110 * kMs);
  // Thread 0 blocks briefly: thread 1 is signalled, but 0 is back first and takes the GVL.
  CHECK(c.release(0, Reason::Io, 20 * kMs).wake == 1);
  CHECK(c.request(0, Reason::Io, 20 * kMs + 20'000).granted);
  GilStep lost = c.wake_up(1, 20 * kMs + 60'000);
  CHECK(lost.failed_acquire == 0);
  CHECK(lost.wait_until == 110 * kMs);  // do_gvl_timer keeps its abs
  // The quantum ends: a timer interrupt, whatever the holder's own run time.
  GilStep tick = c.wake_up(1, 110 * kMs);
  CHECK(tick.drop_request_on == 0);
  GilRelease y = c.release(0, Reason::DropRequest, 111 * kMs);
  CHECK(y.wake == 1);
  CHECK(y.wait_for_switch);  // need_yield: until another thread has the GVL
  CHECK(c.wake_up(1, 111 * kMs + 50'000).granted);
}

TEST_CASE("lua: release and retake at every tick, whoever finds the mutex free takes it") {
  GilCore c = core_of("lua");
  CHECK(c.policy().counts_ticks());
  CHECK(c.policy().check_interval() == 1);
  CHECK(c.request(0, Reason::Start, 0).granted);
  CHECK(c.request(1, Reason::Start, 0).wait_until == kForever);
  GilRelease r = c.release(0, Reason::Tick, 1000);
  CHECK(r.wake == 1);
  CHECK_FALSE(r.handed_off);
  CHECK(c.request(0, Reason::Tick, 1010).granted);  // back before the woken waiter
  CHECK(c.wake_up(1, 5000).failed_acquire == 0);
}

TEST_CASE("idle timeouts: a lone waiter whose request stands sleeps without a timer") {
  GilCore c = core_of("modern");
  c.set_idle_timeouts(true);
  CHECK(c.request(0, Reason::Start, 0).granted);
  GilStep first = c.request(1, Reason::Start, 1 * kMs);
  CHECK_FALSE(first.timeout_idle);  // its first timeout will ask the holder to drop
  GilStep asked = c.wake_up(1, 6 * kMs);
  CHECK(asked.new_drop_request);
  CHECK(asked.wait_until == 11 * kMs);
  CHECK(asked.timeout_idle);  // the next ones could only ask again
  // The holder stays in a native call for 12 ms; the waiter sleeps through the timeouts at 11
  // and 16 ms, and is woken by the release: it takes the GIL as after a timed wait.
  GilRelease r = c.release(0, Reason::DropRequest, 18 * kMs);
  CHECK(r.wake == 1);
  CHECK(c.wake_up(1, 18 * kMs + 20'000).granted);
  // A second waiter wakes the sleeper: its timeouts can count again.
  GilCore d = core_of("fifo");
  d.set_idle_timeouts(true);
  d.request(0, Reason::Start, 0);
  d.request(1, Reason::Start, 0);
  CHECK(d.wake_up(1, 5 * kMs).timeout_idle);
  GilStep second = d.request(2, Reason::Start, 7 * kMs);
  CHECK(wakes(second, 1));
  GilStep again = d.wake_up(1, 7 * kMs);
  CHECK_FALSE(again.timeout_idle);
  CHECK(again.wait_until == 10 * kMs);  // the interval goes on from where it began
  // Off (the sim engine): never idle.
  GilCore e = core_of("modern");
  e.request(0, Reason::Start, 0);
  e.request(1, Reason::Start, 0);
  CHECK_FALSE(e.wake_up(1, 5 * kMs).timeout_idle);
}

TEST_CASE("idle timeouts decide what timed waits decide, with fewer wake-ups") {
  // Thread 0 holds the GIL in a native call until 23 ms; 1 waits from 1 ms, 2 comes at 12.5 ms.
  // Then each holder drops 0.1 ms or 12 ms (a native call) after it is asked, in turn, and asks
  // again at once; thread 2 ends at its first drop after 40 ms, so two threads are left.
  for (std::string policy : {"modern", "fifo", "io-priority"}) {
    CAPTURE(policy);
    auto script = [](Driver& d) {
      d.request(0, 0);
      d.request(1, 1 * kMs);
      d.request(2, 12'500'000);
      d.release(0, Reason::DropRequest, 23 * kMs);
      d.request(0, 23 * kMs + 10'000);
      for (int round = 0; round < 40; ++round) {
        Nanos asked = d.run_until(200 * kMs, /*stop_at_ask=*/true);
        if (asked < 0) break;
        int holder = d.core.state().holder;
        Nanos at = asked + (round % 2 ? 12 * kMs : 100'000);
        bool ends = holder == 2 && at > 40 * kMs;
        d.release(holder, ends ? Reason::Exit : Reason::DropRequest, at);
        if (!ends) d.request(holder, at + 10'000);
      }
    };
    Driver timed(policy, false), idle(policy, true);
    script(timed);
    script(idle);
    CHECK(idle.log == timed.log);
    CHECK(idle.log.size() > 30);
    MESSAGE(policy << ": " << timed.timer_wakeups << " timer wake-ups timed, " << idle.timer_wakeups
                   << " idle");
    CHECK(idle.timer_wakeups < timed.timer_wakeups * 3 / 4);
  }
}
