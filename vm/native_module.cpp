#include "vm/native_module.h"

#include <time.h>

#include <thread>

#include "vm/classes.h"
#include "vm/errors.h"
#include "vm/host.h"

namespace gilsim {

const NativeModule* find_native_module(std::string_view name) {
  for (const NativeModule* m :
       {&math_module(), &time_module(), &gilsim_module(), &thread_module(), &sys_module(),
        &os_module(), &random_module(), &process_module(), &gc_module()})
    if (m->name == name) return m;
  return nullptr;
}

}  // namespace gilsim

namespace gilsim {

// The threads engine's cores are the machine's; the sim engine says its own.
int Host::cpu_count() const {
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

}  // namespace gilsim

namespace gilsim {

Value make_native_class(std::string name, std::initializer_list<const NativeDef*> methods) {
  auto* cls = new ClassObj(std::move(name));
  Value v = Value::adopt(cls);
  cls->base = Value::share(builtin_class("object"));
  for (const NativeDef* d : methods) cls->attrs.emplace_back(d->name, Value::native(d));
  return v;
}

Value spawn_callable(ThreadState& ts, const Value& fn, bool process) {
  if (fn.is(ObjType::Method)) {
    auto* m = fn.as<MethodObj>();
    return ts.interp.host().spawn(ts, m->fn, {m->self}, process);
  }
  return ts.interp.host().spawn(ts, fn, {}, process);
}

int Host::thread_outcome(ThreadState&, const Value&) {
  raise("RuntimeError", "this host cannot tell whether a thread has finished");
}

double Host::cpu_time_ms(ThreadState&, bool whole_process) {
  timespec t{};
  clock_gettime(whole_process ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

}  // namespace gilsim
