// Policy: the decisions of one GIL design, and nothing else.
//
// A policy keeps no mutex and reads no clock: the engine calls it with the time and the thread,
// under the engine's own lock, and applies what it answers. That is what lets the OS-thread engine
// and a deterministic virtual-time engine drive the very same objects.
//
// The questions an engine asks, in the order a thread meets them:
//   may_take_now   a thread requests the GIL: may it take it at once?
//   on_request     it must wait: does its arrival ask the holder to drop (I/O priority)?
//   wait_timeout   how long may it wait before on_timeout is asked (kForever: not at all)?
//   on_timeout     its wait timed out: should the holder be asked to drop (a drop request)?
//   may_take_free  the GIL is free and this waiter woke up: may it take it?
//   hand_off       the holder releases: hand the GIL straight to a waiter, or leave it free?
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gil/core/event.h"

namespace gilsim {

inline constexpr Nanos kForever = std::numeric_limits<Nanos>::max();

struct Waiter {
  int thread;
  Nanos since;                  // when it requested
  Reason reason;                // why it requested (Io: back from I/O, ...)
  std::uint64_t switch_number;  // GilState::switch_number when its current timed wait began
  Nanos timer_start;            // when its current timed wait began
  Nanos timeout = kForever;     // the wait_timeout() it is waiting with (the engine's record)
  std::uint64_t seq = 0;        // its request's number (GilCore keeps waiters sorted by it)
  bool signalled = false;       // woken on purpose (a release), not by its timeout
  bool idle_timeouts = false;   // told its timeout is idle (GilCore::set_idle_timeouts)
};

// The GIL's shared state. Guarded by the engine's mutex; policies read and update it only from
// inside the calls above.
struct GilState {
  int holder = -1;                  // thread holding the GIL, -1 when free
  int last_holder = -1;             // the previous holder (ceval_gil.c: last_holder)
  std::uint64_t switch_number = 0;  // hand-overs to a different thread (ceval_gil.c: switch_number)
  Nanos held_since = 0;             // when the holder took it
  bool drop_request = false;        // the holder is asked to drop at its next safe point
  int drop_target = -1;             // the holder the drop request was made to
  int switch_waiter = -1;           // dropped on request, waits until another thread takes it
  std::deque<Waiter> waiters;       // threads wanting the GIL, in arrival order

  const Waiter* find(int thread) const;
  Waiter* find(int thread);
};

// The parameters every policy may read; each uses the ones its design has.
struct PolicyParams {
  Nanos switch_interval = 5'000'000;  // modern, fifo, io-priority: sys.setswitchinterval, 5 ms
  std::int64_t check_interval = 100;  // legacy: sys.setcheckinterval, 100 ticks
  Nanos quantum = 100'000'000;        // gvl: Ruby's TIME_QUANTUM, 100 ms
  Nanos timer_tick = 10'000'000;      // gvl: Ruby's timer tick, 10 ms
  // The parameters of one design only (--gil-param KEY=VALUE): durations in ns, counts as they
  // are. policy_param_keys() (gil/policies/catalog.h) lists them; each policy reads its own with
  // get().
  std::map<std::string, std::int64_t, std::less<>> extra;
  std::int64_t get(std::string_view key, std::int64_t fallback) const {
    auto it = extra.find(key);
    return it == extra.end() ? fallback : it->second;
  }
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;

  // False for `none`: no lock at all, threads run truly in parallel. It may become true during a
  // run, once, when enable() says so (free-threaded CPython re-enabling its GIL).
  virtual bool exclusive() const { return true; }
  // A thread asks for the GIL to be turned on (free-threaded: an extension without Py_mod_gil is
  // imported). True when this call switched a non-exclusive policy to exclusive.
  virtual bool enable() { return false; }
  // Legacy only: count instruction ticks; every check_interval() ticks, release and re-request.
  virtual bool counts_ticks() const { return false; }
  virtual std::int64_t check_interval() const { return 0; }
  // After dropping on request, wait until another thread has taken the GIL (FORCE_SWITCHING).
  virtual bool forced_switching() const { return false; }
  // sys.setswitchinterval during the run: the policies that have a switch interval use the new
  // one from their next timed wait on (GilCore keeps the value for getswitchinterval).
  virtual void set_switch_interval(Nanos interval) { (void)interval; }

  virtual bool may_take_now(const GilState& gil, int thread, Reason why) const {
    (void)thread, (void)why;
    return gil.holder < 0 && gil.waiters.empty();
  }
  virtual bool on_request(GilState& gil, const Waiter& w, Nanos now) {
    (void)gil, (void)w, (void)now;
    return false;
  }
  virtual Nanos wait_timeout(const GilState& gil, const Waiter& w) const {
    (void)gil, (void)w;
    return kForever;
  }
  virtual bool on_timeout(GilState& gil, Waiter& w, Nanos now) {
    (void)gil, (void)w, (void)now;
    return false;
  }
  // on_timeout only decides whether to ask the holder to drop, and changes nothing else; so while
  // the holder is asked already and nobody takes the GIL, a timeout changes nothing (ceval_gil.c's
  // SET_GIL_DROP_REQUEST is idempotent).
  virtual bool timeout_only_asks_to_drop() const { return false; }
  virtual bool may_take_free(const GilState& gil, int thread) const {
    (void)gil, (void)thread;
    return true;
  }
  virtual int hand_off(const GilState& gil, Reason why, Nanos now) const {
    (void)gil, (void)why, (void)now;
    return -1;
  }
  // The holder releases without handing off: does it signal a waiter (COND_SIGNAL), or leave the
  // waiters to notice on their own timeouts (PyPy's fast-path release)?
  virtual bool signals_release(Reason why) const {
    (void)why;
    return true;
  }
};

}  // namespace gilsim
