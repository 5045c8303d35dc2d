// The os module: what threading programs ask of it. cpu_count() is the engine's cores (the sim
// engine's --cores, the machine's on the threads engine), as os.cpu_count() is the machine's.
#include <unistd.h>

#include "vm/host.h"
#include "vm/native_module.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

Value os_getpid(ThreadState&, Value*, int) { return Value::integer(::getpid()); }
Value os_cpu_count(ThreadState& ts, Value*, int) {
  return Value::integer(ts.interp.host().cpu_count());
}

const NativeDef d_getpid{"getpid", os_getpid, 0, 0, false};
const NativeDef d_cpu_count{"cpu_count", os_cpu_count, 0, 0, false};

}  // namespace

const NativeModule& os_module() {
  static const NativeModule m{"os", {&d_getpid, &d_cpu_count}, {}};
  return m;
}

}  // namespace gilsim
