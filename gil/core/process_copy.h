// A value crossing from one interpreter (process) to another, as fork and pickling copy it:
// spawn_process's arguments and the parent's globals, and an item put on a Queue in one process
// and taken in another. Each interpreter has its own GIL, so none may share a mutable object
// with another; the semantics are the same on both engines.
#pragma once

#include <unordered_map>

#include "vm/value.h"

namespace gilsim {

// `v` as the other interpreter gets it. `done` maps each object copied so far to its copy, so
// sharing (and cycles) survive the crossing: one map for all the values of one crossing.
Value copy_for_process(const Value& v, std::unordered_map<const Obj*, Value>& done);

}  // namespace gilsim
