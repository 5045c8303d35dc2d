// The sys module: the interpreter's version (3.11, the language gilsim follows), argv, the switch
// interval (the running GIL policy's, through the host), the recursion limit (fixed at CPython's
// default: gilsim's frame limit, docs/language.md §4).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/host.h"
#include "vm/native_module.h"
#include "vm/objects.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

Value sys_getrecursionlimit(ThreadState&, Value*, int) { return Value::integer(kRecursionLimit); }

const NativeDef d_getrecursionlimit{"getrecursionlimit", sys_getrecursionlimit, 0, 0, false};

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
  if (name == "argv")
    return Value::adopt(new ListObj({make_str(ts.interp.program().source->path())}));
  if (name == "version_info")
    return make_tuple({Value::integer(3), Value::integer(11), Value::integer(0), make_str("final"),
                       Value::integer(0)});
  if (name == "version") return make_str("3.11.0 (gilsim)");
  if (name == "executable") return make_str("python3");
  return Value::none();
}

}  // namespace

const NativeModule& sys_module() {
  static const NativeModule m{"sys",
                              {&d_getrecursionlimit, &d_getswitchinterval, &d_setswitchinterval},
                              {},
                              {"argv", "version_info", "version", "executable"},
                              make};
  return m;
}

}  // namespace gilsim
