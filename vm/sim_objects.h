// The simulation objects a script creates: Thread (from spawn/spawn_process), Lock and Queue.
//
// The VM only creates and passes them around; their state is read and written by the engine, under
// the engine's own mutex (the field comments name it), because every wait on them is the engine's.
#pragma once

#include <deque>
#include <string>

#include "vm/value.h"

namespace gilsim {

struct ThreadObj final : Obj {
  ThreadObj(int thread_id, std::string name, bool is_process)
      : Obj(ObjType::Thread), thread_id(thread_id), name(std::move(name)), is_process(is_process) {}
  const int thread_id;  // the engine's number for the script thread
  const std::string name;
  const bool is_process;  // made by spawn_process: it runs in its own interpreter
};

struct LockObj final : Obj {
  explicit LockObj(int id = 0) : Obj(ObjType::Lock), id(id) {}
  const int id;  // a small number for events and deadlock reports
  // What the lock serves, set by the module that made it (threading's RLock, Condition, Queue...:
  // docs/stdlib.md §4) before the lock is shared, so a deadlock report names "RLock #1" rather
  // than "Lock #7"; empty for a plain Lock. A waiter lock is a Condition's per-wait() lock: its
  // waiting thread holds it itself and a notify() releases it, so it has no meaningful holder.
  std::string role;
  bool waiter = false;
  int owner = -1;           // thread id of the holder, -1 when free; GUARDED_BY(engine mutex)
  std::deque<int> waiters;  // threads blocked in acquire(), in order; GUARDED_BY(engine mutex)
};

struct QueueObj final : Obj {
  explicit QueueObj(int id = 0) : Obj(ObjType::Queue), id(id) {}
  const int id;
  std::deque<Value> items;    // GUARDED_BY(engine mutex)
  std::deque<int> item_gils;  // the interpreter each item was put from; GUARDED_BY(engine mutex)
  std::deque<int> waiters;    // threads blocked in get(); GUARDED_BY(engine mutex)
  void clear_refs() override { items.clear(); }  // the run is over: no engine runs any more
};

}  // namespace gilsim
