// The eval loop: runs bytecode on one ThreadState until the entry function returns.
//
// One loop body, instantiated twice: the plain loop polls the eval breaker only at safe points
// (back edges, calls, function entry) as CPython 3.10+ does; the counting loop also counts the
// legacy policy's check-interval ticks at instruction boundaries, as Python 2's ceval.c did, and
// the sim engine's virtual-time budget. The host picks one with ThreadState::ticker and ::costs
// (INT64_MAX and null mean "no ticks" and "no budget").
//
// Runtime errors become a ScriptFailure with one traceback entry per frame; `with` blocks are
// exited on the way out (their locks released) as Python's with statement guarantees.
#pragma once

#include <optional>
#include <vector>

#include "vm/thread_state.h"

namespace gilsim {

struct RunResult {
  Value value;                           // the function's return value when it succeeded
  std::optional<ScriptFailure> failure;  // set when it raised
  bool suspended = false;                // the host asked to stop here; resume() continues
  Value exception;                       // lang-func: the Python exception behind `failure`
};

// Runs the frames above entry_depth to completion (call_nested).
RunResult run_nested(ThreadState& ts, size_t entry_depth);

// Prepares the globals of a fresh interpreter (builtins bound) and runs the module body.
RunResult run_module(ThreadState& ts);

// Calls a script function with arguments on a thread whose frame stack is empty.
RunResult run_function(ThreadState& ts, const Value& fn, std::vector<Value> args);

// Continues a thread that returned suspended (ThreadState::suspend) from run_module,
// run_function or resume, which were called on an empty frame stack.
RunResult resume(ThreadState& ts);

// Calls any callable (script function, class, bound method, builtin) from C++ running inside this
// thread's eval loop (a builtin such as map, filter, sorted's key=, print calling __repr__) and
// returns its result: the one way C++ calls script code. A Python exception propagates as a
// PyRaise, keeping its object; other script errors as a ScriptError (its inner traceback lines
// are not kept). The nested
// eval run is never suspended: with the sim engine, breaker and budget stops wait for the outer
// loop, and a call that would wait (io, sleep, a lock, a queue, join) is a RuntimeError
// (check_can_block). The caller must not hold pointers into ts.stack across the call: the stack
// may grow and move.
Value call_nested(ThreadState& ts, const Value& callee, std::vector<Value> args);

// Eval loops started from C++ (call_nested, a generator resumed by next()) each take a stretch of
// the C++ stack, several KB under the sanitizers: at most this many are nested, as CPython bounds
// its C recursion, so deep chains end in RecursionError rather than overflow the thread's stack.
inline constexpr int kMaxNestedRuns = 200;

// lang12: the stack index above everything the innermost frame may hold, with `room` slots
// there (the stack may move): where a nested run's first frame goes (call_nested, generator_send).
std::uint32_t nested_stack_top(ThreadState& ts, size_t room);
// Re-raises the exception that ended a nested run (RunResult::failure set) in the C++ caller.
[[noreturn]] void raise_nested_failure(const RunResult& r);

// Raises RuntimeError when `what` (a builtin that may wait) runs inside call_nested on a host that
// suspends threads instead of blocking them.
void check_can_block(ThreadState& ts, const char* what);
// A blocking acquire of `lock` for `what` (with, acquire()). Inside call_nested on such a host a
// free lock is still taken, since that needs no wait; only a lock held by another is the error.
bool acquire_lock_blocking(ThreadState& ts, const Value& lock, const char* what);

// Python's traceback text for a failure, e.g.
//   Traceback (most recent call last):
//     File "x.gil", line 3, in f
//       return 1 / 0
//   ZeroDivisionError: division by zero
std::string format_traceback(const Program& program, const ScriptFailure& failure);

}  // namespace gilsim
