#include "vm/native_module.h"

#include <thread>

#include "vm/host.h"

namespace gilsim {

const NativeModule* find_native_module(std::string_view name) {
  for (const NativeModule* m : {&math_module(), &time_module(), &gilsim_module(),
                                 &thread_module(), &sys_module(), &os_module()})
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
