// Where the code was: the function and line a script thread was at when a GIL event happened.
//
// Read from the thread's innermost frame at the event (the eval loop saves its instruction
// pointer into the frame before every host call, so the frame is current there), never per
// bytecode: a GIL event costs one binary search in the function's line table. Functions are
// numbered in order of first sight; RunRecord::functions names them.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gil/core/event.h"

namespace gilsim {

class ThreadState;
struct Code;

class CodePlaces {
 public:
  // Sets e.code and e.line from ts's innermost frame (left unset when it has none: before the
  // thread's function starts or after it returned). Thread-safe: a mutex around the numbering.
  void stamp(Event& e, const ThreadState& ts);
  // The functions' names, by number (at the run's end, for RunRecord::functions).
  std::vector<std::string> names() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<const Code*, std::int32_t> number_;  // GUARDED_BY(mu_)
  std::vector<std::string> names_;                        // GUARDED_BY(mu_)
};

// Whether an event of this kind records where the code was: the GIL's own events.
inline bool is_gil_event(EventKind k) {
  return k == EventKind::Request || k == EventKind::Acquire || k == EventKind::Release ||
         k == EventKind::DropRequest || k == EventKind::ForcedSwitch ||
         k == EventKind::FailedAcquire;
}

}  // namespace gilsim
