#include "gil/engines/process_exit.h"

#include <mutex>

#include "vm/code.h"

namespace gilsim {

Value threading_shutdown(ThreadState& ts) {
  for (const ModuleInfo& info : ts.interp.program().modules) {
    if (info.name != "threading") continue;
    for (const auto& [name, slot] : info.attrs) {
      if (name != "_shutdown") continue;
      // Unset until the module has been imported in this interpreter (and run that far).
      std::unique_lock g(ts.interp.globals_mu, std::defer_lock);
      if (ts.lock_objects) g.lock();  // under `none` other threads may be storing globals
      Value fn = ts.interp.globals[slot];
      return fn.is_unset() ? Value::none() : fn;
    }
  }
  return Value::none();
}

}  // namespace gilsim
