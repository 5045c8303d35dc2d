// The report printed when every live script thread is blocked and nothing can wake them. Both
// engines detect the deadlock their own way and describe it with this one function.
#pragma once

#include <string>
#include <vector>

#include "vm/value.h"

namespace gilsim {

// What one thread waits for: a thread to join, or a Lock or Queue.
struct BlockedThread {
  std::string label;
  bool done = false;
  int on_thread = -1;       // join target, -1 if none
  const Obj* on = nullptr;  // the LockObj or QueueObj, if any
};

// `threads` is indexed by thread id. Lists every live thread's wait, then the cycle of lock and
// join waits, if there is one ("cycle: A -> B -> A"). A lock is named by its role when it has one
// ("waits for RLock #1, held by ...", "waits in Condition #2 wait(), ...").
std::string deadlock_report(const std::vector<BlockedThread>& threads);

}  // namespace gilsim
