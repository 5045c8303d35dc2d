// _process: the primitives vm/stdlib/multiprocessing.py is written on (docs/stdlib.md §5). A
// process is spawn_process's: a new interpreter with a copy of its parent's globals (as after a
// fork) and its own GIL; a multiprocessing Queue is the Queue() builtin's object, whose items
// the engine copies between interpreters. Every wait is the engine's, so the parent waits with
// its GIL released. What the engines cannot wait for with a timeout yet (issue 14's timed waits),
// join(timeout) and queue_get(timeout) do by polling in sleeps of at most 1 ms, as
// _thread's acquire(timeout=) does: the thread shows as `io` then.
#include <fmt/format.h>
#include <unistd.h>

#include "vm/classes.h"
#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/host.h"
#include "vm/interpreter.h"
#include "vm/native_module.h"
#include "vm/sim_objects.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

Host& host(ThreadState& ts) { return ts.interp.host(); }

const Value& process_arg(const Value& v, const char* fn) {
  if (!v.is(ObjType::Thread) || !v.as<ThreadObj>()->is_process)
    raise("TypeError", fmt::format("{}() expects a process handle, not {}", fn, type_name(v)));
  return v;
}

// start(fn, name, daemon): fn() (a bound method: its self first) in a new process; its handle.
// The engine names the process's track as spawn_process does and waits for it at the end of the
// run whatever `daemon` says, as for threads (docs/stdlib.md's status).
Value p_start(ThreadState& ts, Value* args, int) { return spawn_callable(ts, args[0], true); }

// join(handle): waits until the process has finished. Its last act, as every blocking host call
// must be on the sim engine (which suspends the thread and resumes it after the call).
Value p_join(ThreadState& ts, Value* args, int) {
  const Value& p = process_arg(args[0], "join");
  check_can_block(ts, "join()");
  host(ts).join(ts, p);
  return Value::none();
}

// exitcode(handle): None while it runs, 0 after a normal end, 1 after an uncaught exception.
Value p_exitcode(ThreadState& ts, Value* args, int) {
  int outcome = host(ts).thread_outcome(ts, process_arg(args[0], "exitcode"));
  return outcome < 0 ? Value::none() : Value::integer(outcome);
}

// pid(handle): gilsim's processes live in one OS process; each gets a number of its own above
// the OS's pid, so that no two processes of a run share one.
Value p_pid(ThreadState&, Value* args, int) {
  return Value::integer(::getpid() + args[0].as<ThreadObj>()->thread_id);
}

Value p_queue(ThreadState& ts, Value*, int) { return host(ts).make_queue(ts); }

const NativeDef d_start{"start", p_start, 3, 3, false};
const NativeDef d_join{"join", p_join, 1, 1, false};
const NativeDef d_exitcode{"exitcode", p_exitcode, 1, 1, false};
const NativeDef d_pid{"pid", p_pid, 1, 1, false};
const NativeDef d_queue{"Queue", p_queue, 0, 0, false};

}  // namespace

const NativeModule& process_module() {
  static const NativeModule m{"_process", {&d_start, &d_join, &d_exitcode, &d_pid, &d_queue}, {}};
  return m;
}

}  // namespace gilsim
