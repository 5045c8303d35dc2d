// The semantics of the script's synchronisation objects (Lock, Queue) and of join, written once
// for both engines: who gets what, whom to wake, and when a blocked thread may go on. How a thread
// waits (a condition variable, a virtual sleep) is the engine's; what it waits for is here.
//
// A blocked thread waits for one Wait: an object and, for join, a thread. Adding an object (RLock,
// Condition, Semaphore, Event, Barrier) means teaching ready() and complete() about it, and the
// host call that starts the wait; the engines' blocking code does not change.
//
// Not thread-safe: the engine calls these under its own lock (threads) or from its one thread
// (sim), the lock that guards the objects' fields (vm/sim_objects.h).
#pragma once

#include <cstdint>
#include <functional>

#include "gil/core/event.h"
#include "gil/core/policy.h"
#include "vm/sim_objects.h"
#include "vm/value.h"

namespace gilsim {

// What a blocked thread waits for.
struct Wait {
  Reason reason = Reason::None;  // Lock, Queue or Join
  Obj* object = nullptr;         // the Lock or Queue
  int thread = -1;               // join: the thread it waits for
  // A timed wait (acquire(timeout=), join(timeout=)) gives up at this engine time (ns): the
  // engine wakes it then, so it is never part of a deadlock.
  Nanos deadline = kForever;
  bool active() const { return reason != Reason::None; }
  bool timed() const { return deadline != kForever; }
};

// The deadline of a wait of `ms` from `now` (engine ns); kForever when it would not fit
// (threading.TIMEOUT_MAX: as good as for ever).
inline Nanos deadline_after(Nanos now, double ms) {
  double ns = ms * 1e6;
  if (!(ns < static_cast<double>(kForever - now))) return kForever;
  return now + static_cast<Nanos>(ns);
}

// Lock.acquire() without waiting: true if it is this thread's now.
bool lock_try_acquire(LockObj& l, int thread);
// Lock.release(): frees it; returns the longest waiter to wake (it takes the lock if still free
// when it runs: barging, as CPython's semaphore-based lock allows), or -1. False if unlocked.
bool lock_release(LockObj& l, int& wake);
// Queue.put(): returns the getter to wake, or -1.
int queue_put(QueueObj& q, Value item, int gil);
// Queue.get() of an item that is there: between processes an item travels by copy, as
// multiprocessing pickles it; within one process the getter receives the very object.
Value queue_take(QueueObj& q, int gil);

// Queues the thread on the object it is about to wait for (before it lets the GIL go, so a
// deadlock check in between knows what it waits for).
void begin_wait(const Wait& w, int thread);
// May the blocked thread go on? `done(t)` says whether thread t has finished.
bool ready(const Wait& w, const std::function<bool(int)>& done);
// The wait is over (ready() was true): leave the object's queue and take what was waited for
// (the Lock, the Queue's item into `item`). Returns a thread to wake (the next getter), or -1.
int complete_wait(const Wait& w, int thread, int gil, Value* item);
// The run stops while the thread waits: leave the object's queue.
void abandon_wait(const Wait& w, int thread);
// The number events and deadlock reports show for what it waits on.
std::int64_t wait_object_id(const Wait& w);

}  // namespace gilsim
