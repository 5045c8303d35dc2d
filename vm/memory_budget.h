// MemoryBudget: the bytes a run's script objects hold, against the run's ceiling (--max-memory).
//
// A growth bomb (`s = s + s`, a list doubling, `[0] * 2**31`) must end in Python's MemoryError,
// raised in the script where it can be caught, long before the host runs short; and on the sim
// engine at the same statement on every run. So the budget counts what objects hold by a fixed
// rule (their C++ size plus their payload, as their maker charges it), never the process's RSS,
// which depends on the allocator, the host and the other threads. One budget per run, shared by
// all its processes (they share one machine); it lives in the run's limits (vm/run_limits.h).
//
// The API, for every object type that can grow (one call where it is made or grows):
//
//   charge_memory(ts, obj, bytes)  adds `bytes` (negative: gives back) to what `obj` holds and to
//                                  the run's total. MemoryError, with nothing charged, when the
//                                  total would pass the ceiling. The object gives back all it
//                                  holds when it is freed (Obj's destructor).
//   require_memory(ts, bytes)      MemoryError unless `bytes` more fit now: called before a big
//                                  allocation, so a refused one is never even attempted.
//
// Objects made without a ThreadState (constants, the engine's copies) hold nothing until a script
// thread charges them. Thread-safety: any thread may charge any object (the `none` policy runs
// threads in parallel); the totals are atomics.
//
// The budget also lists the run's objects that can hold references (lists, dicts, tuples, sets,
// functions, cells, classes, instances, methods...: every type but str, range, slice, iterator,
// Thread and Lock), made while a script thread of the run executes (RunObjects marks that). During
// the run the cycle collector (vm/cycle_collector.h) looks for garbage cycles among them once
// enough have been made (collection_due); at the run's end the objects still alive there are kept
// alive only by reference cycles (a class and its methods, a list holding itself, a recursive
// closure): break_cycles() clears them, so nothing outlives the run.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "vm/value.h"

namespace gilsim {

class ThreadState;

class MemoryBudget {
 public:
  // The budget frees itself when its owner and every object charged to it have let it go.
  static MemoryBudget* create(std::uint64_t limit_bytes) { return new MemoryBudget(limit_bytes); }
  void hold() { holders_.fetch_add(1, std::memory_order_relaxed); }
  void unhold() {
    if (holders_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // Adds bytes to the total unless it would pass the limit (then false, nothing added).
  bool try_charge(std::int64_t bytes);
  void give_back(std::int64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }
  // True if `bytes` more fit under the limit now.
  bool fits(std::uint64_t bytes) const;

  // The run's list of objects that can hold references (see above): track() by
  // track_new_object, untrack() by Obj's destructor.
  // track() returns true when a collection is due: more objects were made than freed since the
  // last one, by more than the threshold (CPython's generation 0 count, 700, or as many as the
  // last collection left alive, so a collection's cost is paid for by as many new objects).
  bool track(Obj& obj);
  void untrack(Obj& obj);
  // Every object on the list, each with a reference added (Obj::try_hold; one being freed by
  // another thread is left out); the caller drops them.
  std::vector<Obj*> hold_all();
  // The collector ran and left `survivors` alive: counting starts again.
  void collected(size_t survivors);
  // gc.enable() / gc.disable(): whether collections run when due.
  void set_automatic(bool on) { automatic_.store(on, std::memory_order_relaxed); }
  bool automatic() const { return automatic_.load(std::memory_order_relaxed); }
  // Clears every object still in the list (called once, when the run's last interpreter is
  // gone): what frees the objects that reference cycles kept alive.
  void break_cycles();

  std::uint64_t limit() const { return limit_; }
  std::int64_t used() const { return used_.load(std::memory_order_relaxed); }
  std::int64_t peak() const { return peak_.load(std::memory_order_relaxed); }

 private:
  explicit MemoryBudget(std::uint64_t limit) : limit_(limit) {}
  const std::uint64_t limit_;  // 0: no limit
  std::atomic<std::int64_t> used_{0};
  std::atomic<std::int64_t> peak_{0};
  std::atomic<std::int64_t> holders_{1};
  std::mutex objects_mu_;
  Obj* objects_ = nullptr;  // the tracked objects' list head; GUARDED_BY(objects_mu_)
  // Objects made minus objects freed since the last collection (not below 0), and how many make
  // a collection due; GUARDED_BY(objects_mu_).
  std::int64_t pending_ = 0;
  std::int64_t threshold_ = kFirstThreshold;
  std::atomic<bool> automatic_{true};
  static constexpr std::int64_t kFirstThreshold = 700;  // CPython's gc threshold0
};

// While alive, objects the current OS thread makes are tracked in `budget` (vm/interpreter.cpp
// sets it for each run of script code; nested scopes restore the outer one). When a collection
// falls due, the running script thread's eval breaker gets ThreadState::kCollectCycles.
class RunObjects {
 public:
  explicit RunObjects(MemoryBudget* budget);
  ~RunObjects();
  RunObjects(const RunObjects&) = delete;
  RunObjects& operator=(const RunObjects&) = delete;

 private:
  MemoryBudget* outer_;
};

void charge_memory(ThreadState& ts, Obj& obj, std::int64_t bytes);
void require_memory(ThreadState& ts, std::uint64_t bytes);

// make_str and make_list, charged to the running thread's budget (its payload is required
// first). For strs and lists a script makes; constants and the engine's own need no charge.
Value new_str(ThreadState& ts, std::string text);
Value new_list(ThreadState& ts, std::vector<Value> items);
Value new_tuple(ThreadState& ts, std::vector<Value> items);

// What a str of `len` bytes and a list of `n` items are charged.
std::int64_t str_bytes(std::uint64_t len);
std::int64_t list_bytes(std::uint64_t n);
std::int64_t tuple_bytes(std::uint64_t n);
// What each key of a dict or a set is charged while it is there (its entry and its share of
// the index); charged as a key comes in (dict_set, set_add), given back as it goes.
std::int64_t dict_key_bytes();
std::int64_t set_key_bytes();

}  // namespace gilsim
