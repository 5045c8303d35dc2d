// The gc module: the cycle collector's switches (vm/cycle_collector.h), as CPython's gc names
// them. collect() runs a collection now and returns how many objects it found unreachable;
// disable() stops the automatic ones (gc.collect() still works), enable() restarts them.
#include <fmt/format.h>

#include "vm/cycle_collector.h"
#include "vm/errors.h"
#include "vm/native_module.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

MemoryBudget& budget(ThreadState& ts) { return ts.interp.limits->memory(); }

Value gc_collect(ThreadState& ts, Value* args, int nargs) {
  if (nargs == 1) {
    if (!args[0].is_intlike())
      raise("TypeError",
            fmt::format("'{}' object cannot be interpreted as an integer", type_name(args[0])));
    if (args[0].as_int() < 0 || args[0].as_int() > 2) raise("ValueError", "invalid generation");
  }
  return Value::integer(static_cast<std::int64_t>(collect_cycles_now(ts)));
}
Value gc_enable(ThreadState& ts, Value*, int) {
  budget(ts).set_automatic(true);
  return Value::none();
}
Value gc_disable(ThreadState& ts, Value*, int) {
  budget(ts).set_automatic(false);
  return Value::none();
}
Value gc_isenabled(ThreadState& ts, Value*, int) { return Value::boolean(budget(ts).automatic()); }

const NativeDef d_collect{"collect", gc_collect, 0, 1, false};
const NativeDef d_enable{"enable", gc_enable, 0, 0, false};
const NativeDef d_disable{"disable", gc_disable, 0, 0, false};
const NativeDef d_isenabled{"isenabled", gc_isenabled, 0, 0, false};

}  // namespace

const NativeModule& gc_module() {
  static const NativeModule m{"gc", {&d_collect, &d_enable, &d_disable, &d_isenabled}, {}};
  return m;
}

}  // namespace gilsim
