// The cycle collector: frees garbage reference cycles during a run, as CPython's gc module does.
//
// Reference counting frees an object when its last reference goes, but never a cycle (a list that
// contains itself, two instances that point at each other, an object holding a lock that holds a
// list that holds the object). CPython finds those with Modules/gcmodule.c's algorithm, and so
// does gilsim, over the run's list of objects that can hold references (vm/memory_budget.h):
//   1. each object starts with its reference count (update_refs);
//   2. every reference one listed object holds to another (Obj::traverse) is subtracted
//      (subtract_refs): what is left is held from outside the list: a frame, a global, the
//      engine, a C++ caller, or an object whose type does not traverse;
//   3. everything reachable from those is alive (move_unreachable); the rest is garbage: each is
//      cleared (Obj::clear_refs, CPython's tp_clear), which drops the cycle's references, and the
//      reference counts free them.
// There are no generations: each collection looks at every listed object, and the next one falls
// due once as many objects again have been made (MemoryBudget::track), so the work stays
// in proportion to the allocations. gilsim has no __del__ and no weak references, so no
// finalizer can bring garbage back to life.
//
// When: at a safe point (the eval breaker's kCollectCycles bit, set when a collection falls due),
// by the thread holding the GIL, outside any nested eval run, so no bytecode runs meanwhile and no
// C++ caller is half-way through an object. It takes no virtual time on the sim engine (the same
// collections happen at the same instructions on every run). It is skipped, and the count starts
// again, when another thread could touch the objects meanwhile: under a policy that runs threads
// without a GIL (ThreadState::lock_objects), and while a second process of the run is alive
// (processes share the run's list, and some objects: functions, classes, instances).
#pragma once

#include <cstddef>

namespace gilsim {

class MemoryBudget;
class ThreadState;

// Frees the garbage cycles among `budget`'s objects; returns how many objects were found
// unreachable (as gc.collect() does). The caller guarantees that no other thread touches them.
size_t collect_cycles(MemoryBudget& budget);

// The eval loop's safe point found kCollectCycles: clears the bit and collects, if it may here
// and automatic collection is on (gc.disable() turns it off).
void collect_cycles_at_safe_point(ThreadState& ts);

// gc.collect(): collects now, if no other thread may touch the objects meanwhile (else 0).
size_t collect_cycles_now(ThreadState& ts);

}  // namespace gilsim
