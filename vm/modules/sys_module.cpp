// _sys: the native half of the sys module (vm/stdlib/sys.py is the rest: version_info, stdout and
// stderr are Python objects there). argv, the switch interval (the running GIL policy's, through
// the host), the recursion limit (the interpreter's frame limit, docs/language.md §4, which
// setrecursionlimit changes as CPython's does), exit (SystemExit with its code), and the writes of
// sys.stdout / sys.stderr.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "vm/classes.h"
#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/exceptions.h"
#include "vm/host.h"
#include "vm/interpreter.h"
#include "vm/native_module.h"
#include "vm/objects.h"
#include "vm/operations.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

std::int64_t int_arg(const Value& v) {
  if (!v.is_intlike())
    raise("TypeError",
          fmt::format("'{}' object cannot be interpreted as an integer", type_name(v)));
  return v.as_int();
}

Value sys_getrecursionlimit(ThreadState& ts, Value*, int) {
  return Value::integer(ts.interp.recursion_limit.load(std::memory_order_relaxed));
}

// setrecursionlimit(n), with CPython 3.11's checks: at least 1, and above the current depth.
Value sys_setrecursionlimit(ThreadState& ts, Value* args, int) {
  std::int64_t n = int_arg(args[0]);
  if (n < 1) raise("ValueError", "recursion limit must be greater or equal than 1");
  if (n > INT32_MAX) raise("OverflowError", "Python int too large to convert to C int");
  // CPython counts the call of setrecursionlimit itself in the depth.
  auto depth = static_cast<std::int64_t>(ts.frames.size()) + 1;
  if (n <= depth)
    raise("RecursionError",
          fmt::format("cannot set the recursion limit to {} at the recursion depth {}: the limit "
                      "is too low",
                      n, depth));
  ts.interp.recursion_limit.store(static_cast<int>(n), std::memory_order_relaxed);
  return Value::none();
}

// exit(code=None): raises SystemExit(code), its `code` attribute set as CPython's is.
Value sys_exit(ThreadState&, Value* args, int n) {
  Value exc = make_exception("SystemExit", "");
  Value code = n > 0 ? args[0] : Value::none();
  if (n > 0) exc_state(exc).args.push_back(code);
  exc.as<InstanceObj>()->attrs.emplace_back("code", code);
  throw PyRaise{std::move(exc), false};
}

// _write(fd, text): sys.stdout.write (fd 1: the engine's output, which keeps threads' lines
// whole) and sys.stderr.write (fd 2).
Value sys_write(ThreadState& ts, Value* args, int) {
  if (!args[1].is(ObjType::Str))
    raise("TypeError", fmt::format("write() argument must be str, not {}", type_name(args[1])));
  const std::string& text = args[1].as<StrObj>()->text;
  if (int_arg(args[0]) == 2) {
    ts.interp.host().write_error(ts, text);
  } else {
    ts.interp.host().write_output(ts, text);
  }
  return Value::integer(static_cast<std::int64_t>(text.size()));
}

const NativeDef d_getrecursionlimit{"getrecursionlimit", sys_getrecursionlimit, 0, 0, false};
const NativeDef d_setrecursionlimit{"setrecursionlimit", sys_setrecursionlimit, 1, 1, false};
const NativeDef d_exit{"exit", sys_exit, 0, 1, false};
const NativeDef d_write{"_write", sys_write, 2, 2, false};

// _flush(fd): sys.stdout.flush() (sys.stderr is written unbuffered).
Value sys_flush(ThreadState& ts, Value* args, int) {
  if (int_arg(args[0]) == 1) ts.interp.host().flush_output(ts);
  return Value::none();
}
const NativeDef d_flush{"_flush", sys_flush, 1, 1, false};

// The running policy's switch interval (the host's), kept in whole microseconds as CPython keeps
// it: setswitchinterval(0.0000001) stores 1 us.
Value sys_getswitchinterval(ThreadState& ts, Value*, int) {
  return Value::floating(ts.interp.host().switch_interval(ts));
}
Value sys_setswitchinterval(ThreadState& ts, Value* args, int) {
  if (!args[0].is_number())
    raise("TypeError", fmt::format("must be real number, not {}", type_name(args[0])));
  double interval = args[0].to_double();
  if (!(interval > 0.0)) raise("ValueError", "switch interval must be strictly positive");
  double us = std::floor(1e6 * interval);
  ts.interp.host().set_switch_interval(ts, std::max(us, 1.0) / 1e6);
  return Value::none();
}

const NativeDef d_getswitchinterval{"getswitchinterval", sys_getswitchinterval, 0, 0, false};
const NativeDef d_setswitchinterval{"setswitchinterval", sys_setswitchinterval, 1, 1, false};

Value make(ThreadState& ts, std::string_view name) {
  if (name == "argv") {
    if (ts.interp.argv.empty())
      return Value::adopt(new ListObj({make_str(ts.interp.program().source->path())}));
    std::vector<Value> argv;  // subproc13: a child script's
    for (const std::string& a : ts.interp.argv) argv.push_back(make_str(a));
    return Value::adopt(new ListObj(std::move(argv)));
  }
  if (name == "version") return make_str("3.11.0 (gilsim)");
  if (name == "executable") return make_str("python3");
  return Value::none();
}

}  // namespace

// subproc13: sys.stderr's writes where the host has no stream of its own: the process's stderr.
void Host::write_error(ThreadState&, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
}

const NativeModule& sys_module() {
  static const NativeModule m{"_sys",
                              {&d_getrecursionlimit, &d_setrecursionlimit, &d_exit, &d_write,
                               &d_flush, &d_getswitchinterval, &d_setswitchinterval},
                              {},
                              {"argv", "version", "executable"},
                              make};
  return m;
}

}  // namespace gilsim
