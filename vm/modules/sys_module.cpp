// The sys module: the interpreter's version (3.11, the language gilsim follows), argv, the
// recursion limit (fixed at CPython's default: gilsim's frame limit, docs/language.md §4).
#include "vm/containers.h"
#include "vm/native_module.h"
#include "vm/objects.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

Value sys_getrecursionlimit(ThreadState&, Value*, int) { return Value::integer(kRecursionLimit); }

const NativeDef d_getrecursionlimit{"getrecursionlimit", sys_getrecursionlimit, 0, 0, false};

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
  static const NativeModule m{
      "sys", {&d_getrecursionlimit}, {}, {"argv", "version_info", "version", "executable"}, make};
  return m;
}

}  // namespace gilsim
