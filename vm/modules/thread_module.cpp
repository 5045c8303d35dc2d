// _thread: the primitives vm/stdlib/threading.py is written on (docs/stdlib.md §5), over the
// host's simulation objects, so that every wait is the engine's (recorded, deadlock-checked, in
// virtual time on the sim engine). A lock is the Lock() builtin's object; a thread is started as
// spawn() starts one, with its Python name and daemon flag. A wait with a timeout is the host's
// too: the engine wakes the thread at its deadline, and it shows as `blocked` throughout.
#include <fmt/format.h>

#include <algorithm>

#include "vm/classes.h"
#include "vm/errors.h"
#include "vm/host.h"
#include "vm/interpreter.h"
#include "vm/native_module.h"
#include "vm/operations.h"
#include "vm/sim_objects.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

constexpr double kTimeoutMax = 9223372036.0;  // CPython's on Linux: PY_TIMEOUT_MAX in seconds

Host& host(ThreadState& ts) { return ts.interp.host(); }

LockObj& lock_arg(const Value& v, const char* fn) {
  if (!v.is(ObjType::Lock))
    raise("TypeError", fmt::format("{}() expects a lock, not {}", fn, type_name(v)));
  return *v.as<LockObj>();
}

Value allocate_lock(ThreadState& ts, Value*, int) { return host(ts).make_lock(ts); }
Value get_ident(ThreadState& ts, Value*, int) { return Value::integer(ts.id + 1); }

}  // namespace

Value acquire_lock(ThreadState& ts, const Value& lock, bool blocking, double timeout) {
  Value args[1] = {lock};
  if (!blocking && timeout != -1)
    raise("ValueError", "can't specify a timeout for a non-blocking call");
  if (timeout < 0 && timeout != -1)
    raise("ValueError", "timeout value must be a non-negative number");
  if (timeout > kTimeoutMax) raise("OverflowError", "timeout value is too large");
  if (!blocking || timeout == 0) return Value::boolean(host(ts).lock_acquire(ts, args[0], false));
  // (timeout 0 is a non-blocking try, as CPython's)
  if (timeout < 0) return Value::boolean(acquire_lock_blocking(ts, args[0], "acquire()"));
  check_can_block(ts, "acquire()");
  return Value::boolean(host(ts).lock_acquire_timed(ts, args[0], timeout * 1000.0));
}

namespace {

// _start(fn, name, daemon): a new thread running fn() (a bound method: self first), as spawn()
// starts one; its handle. The engine names its track `name`; a daemon does not keep the run alive.
Value start(ThreadState& ts, Value* args, int) {
  const Value& fn = args[0];
  std::string name = args[1].is_none() ? std::string() : to_str(ts, args[1]);
  bool daemon = truthy(ts, args[2]);
  if (fn.is(ObjType::Method)) {
    auto* m = fn.as<MethodObj>();
    return host(ts).spawn_thread(ts, m->fn, {m->self}, name, daemon);
  }
  return host(ts).spawn_thread(ts, fn, {}, name, daemon);
}

Value thread_ident(ThreadState&, Value* args, int) {
  if (!args[0].is(ObjType::Thread)) raise("TypeError", "_ident() expects a thread handle");
  return Value::integer(args[0].as<ThreadObj>()->thread_id + 1);
}

// _join(handle, timeout=-1): True once the thread has finished, False if the timeout ran out.
Value join(ThreadState& ts, Value* args, int n) {
  if (!args[0].is(ObjType::Thread)) raise("TypeError", "_join() expects a thread handle");
  double timeout = n > 1 && args[1].is_number() ? args[1].to_double() : -1;
  check_can_block(ts, "join()");
  if (timeout < 0) {
    host(ts).join(ts, args[0]);
    return Value::boolean(true);
  }
  return Value::boolean(host(ts).join_timed(ts, args[0], timeout * 1000.0));
}

Value thread_name(ThreadState& ts, Value*, int) { return make_str(ts.name); }

Value set_role(ThreadState& ts, Value* args, int) {
  lock_arg(args[0], "_set_role").role = to_str(ts, args[1]);
  return Value::none();
}
Value set_waiter_role(ThreadState& ts, Value* args, int) {
  LockObj& lock = lock_arg(args[0], "_set_waiter_role");
  lock.role = to_str(ts, args[1]);
  lock.waiter = true;
  return Value::none();
}

// A failing done-callback: its traceback goes to stderr and the thread goes on, as CPython's
// LOGGER.exception does.
Value report_exception(ThreadState& ts, Value* args, int) {
  std::string text = to_str(ts, args[0]) + "\n" + std::string(type_name(args[1]));
  std::string msg = to_str(ts, args[1]);
  if (!msg.empty()) text += ": " + msg;
  host(ts).write_error(ts, text + "\n");  // subproc13: a child script's stderr may be captured
  return Value::none();
}

const NativeDef d_allocate_lock{"allocate_lock", allocate_lock, 0, 0, false};
const NativeDef d_get_ident{"get_ident", get_ident, 0, 0, false};
const NativeDef d_get_native_id{"get_native_id", get_ident, 0, 0, false};
const NativeDef d_start{"_start", start, 3, 3, false};
const NativeDef d_ident{"_ident", thread_ident, 1, 1, false};
const NativeDef d_join{"_join", join, 1, 2, false};
const NativeDef d_name{"_name", thread_name, 0, 0, false};
const NativeDef d_set_role{"_set_role", set_role, 2, 2, false};
const NativeDef d_set_waiter_role{"_set_waiter_role", set_waiter_role, 2, 2, false};
const NativeDef d_report_exception{"_report_exception", report_exception, 2, 2, false};

Value make(ThreadState&, std::string_view name) {
  if (name == "error") return Value::share(builtin_class("RuntimeError"));
  if (name == "_local") {  // threading.local: one table of attributes per thread
    Value cls = make_native_class("_thread._local", {});  // CPython's type name, in messages
    cls.as<ClassObj>()->per_thread = true;
    return cls;
  }
  return Value::none();
}

}  // namespace

const NativeModule& thread_module() {
  static const NativeModule m{
      "_thread",
      {&d_allocate_lock, &d_get_ident, &d_get_native_id, &d_start, &d_ident, &d_join, &d_name,
       &d_set_role, &d_set_waiter_role, &d_report_exception},
      {{"TIMEOUT_MAX", Value::floating(kTimeoutMax)}},
      {"error", "_local"},
      make};
  return m;
}

}  // namespace gilsim
